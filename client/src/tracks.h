/* Each track's own figures (names in client/README.md, compile_stats),
 * added to the common ones by figures_compute. Each returns 0, or -1 with
 * err set. */
#ifndef TRACKS_H
#define TRACKS_H

#include "figures.h"
#include "run.h"

int track_throughput(const struct run *r, struct figures *fs, char *err, size_t errlen);
int track_capacity(const struct run *r, struct figures *fs, char *err, size_t errlen);
int track_handshakes(const struct run *r, struct figures *fs, char *err, size_t errlen);
int track_slo(const struct run *r, struct figures *fs, char *err, size_t errlen);

#endif
