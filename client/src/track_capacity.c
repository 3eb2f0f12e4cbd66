/* capacity: connections held without traffic (runtest --hold). The held
 * state is the last sample a full second before the probe at SECONDS (a
 * sample taken at SECONDS races the probe, and a server that freed idle
 * state allocates it again for the probe). Memory per connection is that
 * sample minus the one before the first connection, over the connections
 * open in it: the server's PSS and RSS (its process group), the kernel's
 * slab and TCP memory (machine-wide, so both ends of every connection). */
#include <math.h>
#include <stddef.h>
#include <stdio.h>

#include "tracks.h"

/* Messages of one type scheduled at t or later. */
static long long scheduled_from(const struct run *r, const char *type, double t, char *err,
                                size_t errlen)
{
    return run_count_events(r, type, "timestamp - event_data >= ?2", (int64_t)t, 0, err, errlen);
}

static double growth(double held, double base, double conns)
{
    return conns > 0 ? (held - base) / conns : NAN;
}

int track_capacity(const struct run *r, struct figures *fs, char *err, size_t errlen)
{
    double seconds = run_meta_num(r, "seconds");
    const struct sample *held = NULL;
    double pss_peak = NAN;
    for (size_t i = 0; i < r->n_samples; i++) {
        const struct sample *s = &r->samples[i];
        if (isnan(seconds) || s->second >= seconds)
            break;
        if (s->second < 1)
            continue;
        held = s;
        if (!isnan(s->server_pss_bytes) && (isnan(pss_peak) || s->server_pss_bytes > pss_peak))
            pss_peak = s->server_pss_bytes;
    }
    const struct sample none = {NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN};
    const struct sample *s0 = fig_second_zero(r);
    if (!held)
        held = &none;
    double conns = held->connected;
    const char *how;
    double pss_base = fig_pss_base(r, &how);
    double rss_base = s0 ? s0->server_rss_bytes
                         : fig_first(r, offsetof(struct sample, server_rss_bytes));
    double slab_base = s0 ? s0->slab_bytes : fig_first(r, offsetof(struct sample, slab_bytes));
    double tcp_base = s0 ? s0->tcp_mem_pages
                         : fig_first(r, offsetof(struct sample, tcp_mem_pages));
    double page = fig_page_size(r);
    double noise = fig_pss_noise_bytes(r);

    fig_num(fs, "capacity_held_second", held->second);
    fig_num(fs, "capacity_connections", conns);
    fig_num(fs, "capacity_pss_bytes_per_conn", growth(held->server_pss_bytes, pss_base, conns));
    fig_num(fs, "capacity_pss_bytes_per_conn_noise", growth(noise, 0, conns));
    fig_num(fs, "capacity_rss_bytes_per_conn", growth(held->server_rss_bytes, rss_base, conns));
    fig_num(fs, "capacity_rss_bytes_per_conn_noise", growth(page, 0, conns));
    fig_num(fs, "capacity_kernel_slab_bytes_per_conn", growth(held->slab_bytes, slab_base, conns));
    fig_num(fs, "capacity_kernel_slab_bytes_per_conn_noise", growth(page, 0, conns));
    fig_num(fs, "capacity_kernel_tcp_bytes_per_conn",
            growth(held->tcp_mem_pages * page, tcp_base * page, conns));
    fig_num(fs, "capacity_kernel_tcp_bytes_per_conn_noise", growth(page, 0, conns));
    fig_num(fs, "capacity_peak_pss_bytes_per_conn", growth(pss_peak, pss_base, conns));
    /* A server that frees idle state shows a PSS that falls during the hold
     * by more than the noise and a tenth of what the connections added. */
    double fell = pss_peak - held->server_pss_bytes, added = pss_peak - pss_base;
    fig_bool(fs, "capacity_pss_fell_during_hold",
             isnan(fell) || isnan(added) ? -1 : fell > noise && fell > added / 10);

    /* The same held PSS against the runner's own reading before the load
     * (procstat's sampler, after ./verify), when second 0 was the base; and
     * the RSS growth, another /proc field (equal to PSS's for a server of one
     * process that shares no pages it adds). */
    double idle = run_meta_num(r, "suite.server_idle_pss_bytes");
    double pss_noise = fig_get(fs, "capacity_pss_bytes_per_conn_noise");
    if (s0 && !isnan(s0->server_pss_bytes))
        fig_check_noisy(fs, "capacity_pss_bytes_per_conn", "PSS after minus the runner's idle "
                        "PSS (suite.server_idle_pss_bytes)",
                        growth(held->server_pss_bytes, idle, conns), pss_noise, pss_noise);
    fig_check_noisy(fs, "capacity_pss_bytes_per_conn", "RSS after minus before, same process "
                    "group", fig_get(fs, "capacity_rss_bytes_per_conn"), pss_noise,
                    fig_get(fs, "capacity_rss_bytes_per_conn_noise"));

    /* The probe is the one message scheduled at SECONDS or later. */
    double t = isnan(seconds) ? 0 : seconds * 1e6;
    long long sent = scheduled_from(r, "message_send", t, err, errlen);
    long long echoed = scheduled_from(r, "message_recv", t, err, errlen);
    if (sent < 0 || echoed < 0)
        return -1;
    fig_num(fs, "capacity_probes_sent", isnan(seconds) ? NAN : (double)sent);
    fig_num(fs, "capacity_probes_echoed", isnan(seconds) ? NAN : (double)echoed);
    return 0;
}
