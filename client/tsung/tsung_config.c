/* tsung_config: writes the Tsung XML that runs the kit's workload.
 *   tsung_config T0_US DB SECONDS HOST PORT CLIENTS [options]   XML on stdout
 *   tsung_config --load-hosts-of DB SECONDS ... [options]        one host a line
 * T0_US is the run's t0 (wall clock, us since the epoch): message heads
 * carry send times relative to it, as the kit's client does.
 *
 * The session mirrors the kit's client where Tsung allows: message k of a
 * connection is due at open + k * interval and no message is due at or
 * after SECONDS; Tsung waits for each echo before the next send (one in
 * flight), arrivals are static users at i * --arrival-us, timers have 1 ms steps.
 * client/tsung/README.md says what that does to the figures. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "head.h"
#include "tsung_opts.h"

/* Tsung 1.7's ts_config_server keeps its start date in field 9 of its
 * state tuple (record state: config, logdir, curcfg, client_static_users,
 * static_users, ports, users, start_date, ...). */
#define CONFIG_SERVER_START_DATE 9

/* The run's t0 is this long after Tsung's start date: user i is launched
 * at start + i * --arrival-us and sleeps to t0 + i * --arrival-us, so a
 * launcher up to this far behind (it starts ~500 users/s on a busy 2-core
 * machine, fewer than the kit's default 1,000/s) does not shift the
 * schedule. */
#define LAUNCH_LEAD_MS 3000

/* After its close a user lingers LINGER_S, then waits for Tsung's monitors
 * to drain, polling every DRAIN_POLL_MS up to DRAIN_POLLS times. */
#define LINGER_S 1
#define DRAIN_POLL_MS 200
#define DRAIN_POLLS 300

/* Writes s as XML attribute text. */
static void xml_attr(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* <setdynvars> that binds var to what Erlang fun code returns. The fun
 * sees D, the session's dynamic variables, and Lookup(Name). */
static void eval_var(FILE *f, const char *var, const char *body)
{
    char code[2048];
    snprintf(code, sizeof code,
             "fun({_, D}) -> Lookup = fun(N) -> {ok, V} = ts_dynvars:lookup(N, D), V end, "
             "_ = Lookup, %s end.", body);
    fputs("      <setdynvars sourcetype=\"eval\" code=\"", f);
    xml_attr(f, code);
    fprintf(f, "\"><var name=\"%s\"/></setdynvars>\n", var);
}

static void write_clients(FILE *f, const struct tsung_opts *o)
{
    fputs("  <clients>\n", f);
    if (o->n_hosts == 0) {
        /* The controller's VM alone; maxusers above the last user, or Tsung asks
         * for another VM when the last one starts. */
        fprintf(f, "    <client host=\"localhost\" use_controller_vm=\"true\" maxusers=\"%" PRIu32 "\"",
                o->args.clients + 1);
        if (o->n_bind == 0) {
            fputs("/>\n", f);
        } else {
            fputs(">\n", f);
            for (unsigned i = 0; i < o->n_bind; i++)
                fprintf(f, "      <ip value=\"%s\"/>\n", o->bind[i]);
            fputs("    </client>\n", f);
        }
    } else {
        for (unsigned i = 0; i < o->n_hosts; i++) {
            const struct load_host *h = &o->hosts[i];
            uint32_t max = h->maxusers ? h->maxusers : o->args.clients + 1;
            fputs("    <client host=\"", f);
            xml_attr(f, h->name);
            fprintf(f, "\" cpu=\"%u\" maxusers=\"%" PRIu32 "\"/>\n", h->cpu, max);
        }
    }
    fputs("  </clients>\n", f);
}

static void write_session(FILE *f, const struct tsung_opts *o, uint64_t t0_us)
{
    uint64_t end_us = (uint64_t)(o->args.seconds * 1e6);
    uint64_t interval_us = o->interval_ms * 1000;
    char b[1024];
    /* The repeat's bound: more iterations than the schedule can hold. */
    uint64_t max_repeat = end_us / interval_us + 2;

    fputs("  <sessions>\n"
          "    <session name=\"kit\" probability=\"100\" type=\"ts_websocket\">\n", f);
    /* The run's t0 is LAUNCH_LEAD_MS after Tsung's start date (when its
     * launchers may start users), which the controller's config server
     * keeps: read once per VM and written to the dump as a "KIT-T0 us"
     * record for the importer. Times in the session are us since T0_US,
     * which the importer rebases. */
    snprintf(b, sizeof b,
             "case persistent_term:get(kit_start, undefined) of "
             "undefined -> {Ms, Ss, Us} = element(%d, sys:get_state({global, ts_config_server})), "
             "V = (Ms * 1000000 + Ss) * 1000000 + Us - %" PRIu64 " + %d, "
             "persistent_term:put(kit_start, V), "
             "ts_mon:sendmes({full, self(), list_to_binary(\"" T0_RECORD "\" ++ integer_to_list(V))}), V; "
             "V -> V end", CONFIG_SERVER_START_DATE, t0_us, LAUNCH_LEAD_MS * 1000);
    eval_var(f, "kit_start", b);
    /* Users are launched LAUNCH_LEAD_MS early (write_config) and sleep to
     * their due time, t0 + id * --arrival-us; then a "KIT-INIT id node"
     * record marks the connect, the kit's ws_init, and where it ran. */
    snprintf(b, sizeof b,
             "W = Lookup(kit_start) + (Lookup(tsung_userid) - 1) * %" PRIu64
             " - (erlang:system_time(microsecond) - %" PRIu64 "), "
             "((max(0, W) + 999) div 1000) / 1000", o->arrival_us, t0_us);
    eval_var(f, "kit_wait", b);
    fputs("      <thinktime value=\"%%_kit_wait%%\" random=\"false\"/>\n", f);
    eval_var(f, "kit_init",
             "ts_mon:sendmes({full, self(), list_to_binary(\"" INIT_RECORD "\" ++ "
             "integer_to_list(Lookup(tsung_userid) - 1) ++ \" \" ++ atom_to_list(node()))}), 0");
    fputs("      <request><websocket type=\"connect\" path=\"/\"/></request>\n", f);
    snprintf(b, sizeof b, "erlang:system_time(microsecond) - %" PRIu64, t0_us);
    eval_var(f, "kit_open", b);
    eval_var(f, "kit_seq", "0");
    snprintf(b, sizeof b, "Lookup(kit_open) < Lookup(kit_start) + %" PRIu64, end_us);
    eval_var(f, "kit_more", b);
    fprintf(f, "      <if var=\"kit_more\" eq=\"true\">\n"
               "      <repeat name=\"kit_loop\" max_repeat=\"%" PRIu64 "\">\n", max_repeat);
    /* Sleep to the due time, rounded up to Tsung's 1 ms timer step. */
    snprintf(b, sizeof b,
             "W = Lookup(kit_open) + Lookup(kit_seq) * %" PRIu64
             " - (erlang:system_time(microsecond) - %" PRIu64 "), "
             "((max(0, W) + 999) div 1000) / 1000", interval_us, t0_us);
    eval_var(f, "kit_wait", b);
    fputs("      <thinktime value=\"%%_kit_wait%%\" random=\"false\"/>\n", f);
    snprintf(b, sizeof b,
             "C = Lookup(tsung_userid) - 1, S = Lookup(kit_seq), Size = %" PRIu32 ", "
             "Now = fun() -> erlang:system_time(microsecond) - %" PRIu64 " end, "
             HEAD_ERLANG ", Payload",
             o->size, t0_us);
    eval_var(f, "kit_payload", b);
    fputs("      <request subst=\"true\"><websocket type=\"message\" frame=\"binary\">"
          "%%_kit_payload%%</websocket></request>\n", f);
    eval_var(f, "kit_seq", "Lookup(kit_seq) + 1");
    snprintf(b, sizeof b, "Lookup(kit_open) + Lookup(kit_seq) * %" PRIu64
             " < Lookup(kit_start) + %" PRIu64, interval_us, end_us);
    eval_var(f, "kit_more", b);
    fputs("      <while var=\"kit_more\" eq=\"true\"/>\n"
          "      </repeat>\n"
          "      </if>\n"
          "      <request><websocket type=\"close\"/></request>\n", f);
    /* Tsung stops its VMs when the last user ends, and what its monitors
     * still hold (ts_mon_cache flushes every 500 ms; ts_mon writes the
     * dump, behind when the machine is busy) never reaches tsung.dump: the
     * end of the run went missing. So a user lingers past one flush, then
     * until both queues are empty (at most DRAIN_POLLS polls). */
    fprintf(f, "      <thinktime value=\"%d\" random=\"false\"/>\n", LINGER_S);
    snprintf(b, sizeof b,
             "Len = fun(undefined) -> 0; (P) -> case catch rpc:call(node(P), erlang, process_info, "
             "[P, message_queue_len]) of {message_queue_len, L} -> L; _ -> 0 end end, "
             "Drain = fun(F, K) -> case Len(whereis(ts_mon_cache)) + Len(global:whereis_name(ts_mon)) of "
             "N when N > 0, K > 0 -> timer:sleep(%d), F(F, K - 1); _ -> 0 end end, "
             "Drain(Drain, %d)", DRAIN_POLL_MS, DRAIN_POLLS);
    eval_var(f, "kit_drained", b);
    fputs("    </session>\n"
          "  </sessions>\n", f);
}

static void write_config(FILE *f, const struct tsung_opts *o, uint64_t t0_us)
{
    uint64_t end_ms = (uint64_t)(o->args.seconds * 1e3);
    /* The whole run's hard bound: the schedule, the last echo, the close. */
    uint64_t bound_s = LAUNCH_LEAD_MS / 1000 + end_ms / 1000 + 1 + (o->connect_timeout_ms + 2 * ACK_TIMEOUT_MS) / 1000 + 10 +
                       LINGER_S + DRAIN_POLLS * DRAIN_POLL_MS / 1000;

    fprintf(f, "<?xml version=\"1.0\"?>\n"
               "<!DOCTYPE tsung SYSTEM \"/usr/share/tsung/tsung-1.0.dtd\">\n"
               "<!-- Written by client/tsung/tsung_config for runtest-tsung: t0 = %" PRIu64
               " us since the epoch -->\n"
               "<tsung loglevel=\"notice\" version=\"1.0\" dumptraffic=\"true\">\n", t0_us);
    write_clients(f, o);
    fprintf(f, "  <servers><server host=\"%s\" port=\"%u\" type=\"tcp\"/></servers>\n",
            o->args.host, o->args.port);
    /* Static users, one per client, launched LAUNCH_LEAD_MS before
     * t0 + i * --arrival-us, i.e. at start + i * --arrival-us (Tsung's own arrival phases are a Poisson
     * process whose launcher falls behind at 1 ms means): the kit client's
     * schedule, to Tsung's 1 ms timers. */
    fprintf(f, "  <load duration=\"%" PRIu64 "\" unit=\"second\">\n", bound_s);
    for (uint32_t i = 0; i < o->args.clients; i++) {
        uint64_t at_us = (uint64_t)i * o->arrival_us;
        if (at_us % 1000 == 0)
            fprintf(f, "    <user session=\"kit\" start_time=\"%" PRIu64 "\" unit=\"millisecond\"/>\n",
                    at_us / 1000);
        else
            fprintf(f, "    <user session=\"kit\" start_time=\"%" PRIu64 ".%03" PRIu64
                       "\" unit=\"millisecond\"/>\n", at_us / 1000, at_us % 1000);
    }
    fputs("  </load>\n", f);
    fprintf(f, "  <options>\n"
               "    <option name=\"connect_timeout\" value=\"%" PRIu64 "\"/>\n"
               "    <option name=\"global_ack_timeout\" value=\"%d\"/>\n"
               "    <option name=\"max_retries\" value=\"0\"/>\n",
            o->connect_timeout_ms, ACK_TIMEOUT_MS);
    if (o->port_range_set)
        fprintf(f, "    <option name=\"ports_range\" min=\"%u\" max=\"%u\" value=\"on\"/>\n",
                o->port_lo, o->port_hi);
    fputs("  </options>\n", f);
    write_session(f, o, t0_us);
    fputs("</tsung>\n", f);
}

int main(int argc, char **argv)
{
    char err[512];
    struct tsung_opts o;
    bool hosts_only = argc > 1 && strcmp(argv[1], "--load-hosts-of") == 0;
    if (argc < 2) {
        topts_usage("runtest-tsung");
        return 2;
    }
    uint64_t t0 = 0;
    if (!hosts_only) {
        char *end;
        t0 = strtoull(argv[1], &end, 10);
        if (*end || t0 == 0) {
            fprintf(stderr, "tsung_config: T0_US %s: expected us since the epoch\n", argv[1]);
            return 2;
        }
    }
    int r = topts_parse(argc - 1, argv + 1, &o, err, sizeof err);
    if (r == 1) {
        topts_usage("runtest-tsung");
        return 0;
    }
    if (r < 0) {
        fprintf(stderr, "runtest-tsung: %s\n", err);
        return 2;
    }
    if (hosts_only) {
        for (unsigned i = 0; i < o.n_hosts; i++)
            printf("%s\n", o.hosts[i].name);
        return 0;
    }
    write_config(stdout, &o, t0);
    return fflush(stdout) == 0 ? 0 : 1;
}
