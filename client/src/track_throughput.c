/* throughput: echo rate at saturation over the measured seconds, those
 * after meta warmup_s up to the run's length (the drain and a cut-off last
 * second left out), from the per-second samples. */
#include <math.h>
#include <stdio.h>

#include "tracks.h"

/* Echoes recorded as events from second FIRST - 1 to LAST (µs since t0),
 * or -1 with err set. */
static long long events_in(const struct run *r, double first, double last, char *err,
                           size_t errlen)
{
    return run_count_events(r, "message_recv", "timestamp > ?2 AND timestamp <= ?3",
                            (int64_t)((first - 1) * 1e6), (int64_t)(last * 1e6), err, errlen);
}

int track_throughput(const struct run *r, struct figures *fs, char *err, size_t errlen)
{
    double warmup = run_meta_num(r, "warmup_s");
    double seconds = run_meta_num(r, "seconds");
    if (isnan(warmup))
        warmup = 0;
    double last = r->n_samples ? r->samples[r->n_samples - 1].second : 0;

    /* CPU is cumulative since the run began: the reading that ends the
     * warm-up is the base (0 when nothing is warmed up). */
    double cpu_base = warmup > 0 ? NAN : 0, cpu_end = NAN, client_cpu = 0, idle = 0;
    long long recv = 0;
    unsigned n_client = 0, n_idle = 0;
    double first = NAN, final = NAN;  /* the measured seconds */
    struct stats_vec per_second = {0};
    for (size_t i = 0; i < r->n_samples; i++) {
        const struct sample *s = &r->samples[i];
        if (s->second <= warmup) {
            if (!isnan(s->server_cpu_seconds))
                cpu_base = s->server_cpu_seconds;
            continue;
        }
        if ((!isnan(seconds) && s->second > seconds) || s->second >= last || isnan(s->recv))
            continue;
        if (stats_vec_push(&per_second, (int64_t)s->recv) < 0) {
            stats_vec_free(&per_second);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        recv += (long long)s->recv;
        if (isnan(first))
            first = s->second;
        final = s->second;
        cpu_end = s->server_cpu_seconds;
        if (!isnan(s->client_cpu))
            client_cpu += s->client_cpu, n_client++;
        if (!isnan(s->machine_idle_share))
            idle += s->machine_idle_share, n_idle++;
    }
    struct stats_summary rate;
    size_t n = per_second.n;
    stats_summarize(per_second.v, n, &rate);
    stats_vec_free(&per_second);
    fig_num(fs, "throughput_measured_seconds", (double)n);
    fig_num(fs, "throughput_msgs_per_s", n ? (double)rate.p50 : NAN);
    fig_num(fs, "throughput_slowest_second_msgs", n ? (double)rate.min : NAN);
    fig_num(fs, "throughput_fastest_second_msgs", n ? (double)rate.max : NAN);
    fig_num(fs, "throughput_server_cpu_us_per_message",
            recv ? (cpu_end - cpu_base) * 1e6 / (double)recv : NAN);
    fig_num(fs, "throughput_client_cpu_cores", n_client ? client_cpu / n_client : NAN);
    /* Each sample covers one second, so the cores of a sample are CPU seconds. */
    fig_num(fs, "throughput_client_cpu_us_per_message",
            recv && n_client == n ? client_cpu * 1e6 / (double)recv : NAN);
    fig_num(fs, "throughput_machine_idle_share", n_idle ? idle / n_idle : NAN);

    /* A second count of the same echoes: the events the workers recorded
     * (the samples are the parent's per-second counters), as a mean rate. */
    long long events = n ? events_in(r, first, final, err, errlen) : 0;
    if (events < 0)
        return -1;
    fig_check(fs, "throughput_msgs_per_s", "the echoes recorded as events in the measured "
                                           "seconds over their length (a mean rate)",
              n && events ? (double)events / (final - first + 1) : NAN);
    return 0;
}
