/* The figures of one run: the one place the kit turns a run database into
 * the numbers its report publishes. Every run gets the common figures
 * (counts, latency and handshake percentiles, memory and CPU per
 * connection and message, the client- and machine-bound flags); a run of a
 * track gets that track's figures too (tracks.h). The report shows these
 * and computes none of them. */
#ifndef FIGURES_H
#define FIGURES_H

#include <stdbool.h>
#include <stddef.h>

#include "run.h"
#include "stats.h"

#define FIG_MAX 64
#define FIG_MAX_STEPS 64
#define FIG_MAX_CHECKS 8
/* Two methods agree when the second is within this share of the first. */
#define FIG_CHECK_TOLERANCE 0.10

struct figure {
    const char *name;     /* a string literal */
    double v;             /* NAN: none (null in JSON) */
    bool is_bool;
};

/* One step of the slo track. */
struct slo_step {
    double offered;               /* msg/s asked for, in total */
    double achieved;              /* echoes of the step's messages per second */
    long long sent, recv;         /* messages scheduled in the step, their echoes */
    struct stats_summary lat;     /* latency from the scheduled send */
    int met;                      /* within the SLO and no loss; -1: no SLO given */
};

/* A figure measured a second way from the same database: the report's
 * notes state it, with whether the two agree (FIG_CHECK_TOLERANCE). */
struct fig_check {
    const char *figure;   /* a figure's name */
    const char *method;   /* how the second value was had, a string literal */
    double value, second; /* NAN: none */
    double noise, second_noise; /* the least change each can see; NAN: none stated */
    int agree;            /* 1, 0, -1: cannot tell (no figure, or both within their noise) */
};

struct figures {
    const char *track;
    const char *baseline;         /* the sample memory figures count from */
    struct figure f[FIG_MAX];
    unsigned n;
    struct slo_step steps[FIG_MAX_STEPS];
    unsigned n_steps;
    struct exit_count *failures;  /* handshakes: exits of connections never opened */
    size_t n_failures;
    struct fig_check checks[FIG_MAX_CHECKS];
    unsigned n_checks;
};

/* The run's track: meta suite.track, else the one its meta mode implies
 * (saturate: throughput, hold: capacity, storm: handshakes, steps: slo),
 * else c10k. */
const char *figures_track(const struct run *r);

/* Fills fs for a loaded run. Returns 0, or -1 with err set. */
int figures_compute(const struct run *r, struct figures *fs, char *err, size_t errlen);
void figures_free(struct figures *fs);

/* For the track modules. */
void fig_num(struct figures *fs, const char *name, double v);
void fig_bool(struct figures *fs, const char *name, int v);   /* -1: none */
/* The value of a figure added before, or NAN. */
double fig_get(const struct figures *fs, const char *name);
/* Records figure NAME measured a second way (NAN: the database cannot tell;
 * then nothing is recorded). */
void fig_check(struct figures *fs, const char *name, const char *method, double second);
/* The same for figures with a noise floor: when both the figure and the
 * second value are at or below their noise (NOISE, SECOND_NOISE; a negative
 * growth too), their difference is noise too, and the verdict is "cannot tell". */
void fig_check_noisy(struct figures *fs, const char *name, const char *method, double second,
                     double noise, double second_noise);
/* The sample taken before the first connection (second 0), or NULL in a
 * database from a runtest that did not take one. */
const struct sample *fig_second_zero(const struct run *r);
/* The server's PSS before the load: the second-0 sample, else the runner's
 * idle PSS (suite.server_idle_pss_bytes), else the first sample's; NAN
 * without any. *how names which. */
double fig_pss_base(const struct run *r, const char **how);
/* The first known value of a samples column (by offset in struct sample). */
double fig_first(const struct run *r, size_t offset);
/* How far the PSS before the load is known: the two readings taken before
 * any connection (the runner's and second 0) disagree by this much, and
 * nothing is finer than a page. */
double fig_pss_noise_bytes(const struct run *r);
double fig_page_size(const struct run *r);

#endif
