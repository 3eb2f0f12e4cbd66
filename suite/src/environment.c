#include "environment.h"

#include "child.h"
#include "track.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* Descriptors a process needs beyond one per connection (listeners,
 * epoll, logs, the database). */
#define FD_MARGIN 64

/* Copies the first line of a file, or "" if it cannot be read. */
static void read_line(const char *path, char *out, size_t cap)
{
    out[0] = 0;
    FILE *f = fopen(path, "re");
    if (!f)
        return;
    if (fgets(out, (int)cap, f))
        out[strcspn(out, "\n")] = 0;
    fclose(f);
    /* /proc separates multi-value sysctls with tabs */
    for (char *p = out; *p; p++)
        if (*p == '\t')
            *p = ' ';
}

static void cpu_model(char *out, size_t cap)
{
    snprintf(out, cap, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "re");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof(line), f)) {
        if (!strncmp(line, "model name", 10)) {
            char *v = strchr(line, ':');
            if (v) {
                v += 1 + (v[1] == ' ');
                v[strcspn(v, "\n")] = 0;
                snprintf(out, cap, "%s", v);
            }
            break;
        }
    }
    fclose(f);
}

/* Output of a short command, first line only; "" when it fails. */
static void command_line(char *const argv[], char *out, size_t cap)
{
    struct child_opts o = { .timeout_ms = 10000, .capture = out, .capture_cap = cap };
    struct child_result r;
    char err[256];
    if (child_run(argv, &o, &r, err, sizeof(err)) || !r.exited || r.code != 0)
        out[0] = 0;
    out[strcspn(out, "\n")] = 0;
}

static const char *const sysctls[][2] = {
    { "env.somaxconn", "/proc/sys/net/core/somaxconn" },
    { "env.tcp_max_syn_backlog", "/proc/sys/net/ipv4/tcp_max_syn_backlog" },
    { "env.tcp_mem", "/proc/sys/net/ipv4/tcp_mem" },
    { "env.ip_local_port_range", "/proc/sys/net/ipv4/ip_local_port_range" },
    { "env.file_max", "/proc/sys/fs/file-max" },
    { "env.nr_open", "/proc/sys/fs/nr_open" },
};

static const char *const pkgs[] = {
    "sqlite3", "inih", "openssl", "libwebsockets", "libuv", "libevent", "libh2o-evloop",
};

int env_collect(struct kv_list *env)
{
    char buf[1024];
    int rc = 0;
    for (size_t i = 0; i < sizeof(sysctls) / sizeof(sysctls[0]); i++) {
        read_line(sysctls[i][1], buf, sizeof(buf));
        rc |= kv_set(env, sysctls[i][0], buf[0] ? buf : "unknown");
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rc |= kv_setf(env, "env.client_nofile_soft", "%llu", (unsigned long long)rl.rlim_cur);
        rc |= kv_setf(env, "env.client_nofile_hard", "%llu", (unsigned long long)rl.rlim_max);
    }
    cpu_model(buf, sizeof(buf));
    rc |= kv_set(env, "env.cpu_model", buf);
    rc |= kv_setf(env, "env.cores", "%ld", sysconf(_SC_NPROCESSORS_ONLN));
    rc |= kv_setf(env, "env.page_size", "%ld", sysconf(_SC_PAGESIZE));
    struct utsname u;
    if (uname(&u) == 0)
        rc |= kv_setf(env, "env.kernel", "%s %s %s", u.sysname, u.release, u.machine);
    read_line("/proc/meminfo", buf, sizeof(buf));
    if (!strncmp(buf, "MemTotal:", 9)) {
        char *p = buf + 9;
        while (*p == ' ')
            p++;
        rc |= kv_set(env, "env.mem_total", p);
    }
    for (size_t i = 0; i < sizeof(pkgs) / sizeof(pkgs[0]); i++) {
        char *argv[] = { "pkg-config", "--modversion", (char *)pkgs[i], NULL };
        command_line(argv, buf, sizeof(buf));
        char key[64];
        snprintf(key, sizeof(key), "env.lib.%s", pkgs[i]);
        rc |= kv_set(env, key, buf[0] ? buf : "not found");
    }
    char *xv[] = { "xmlrpc-c-config", "--version", NULL };
    command_line(xv, buf, sizeof(buf));
    rc |= kv_set(env, "env.lib.xmlrpc-c", buf[0] ? buf : "not found");
    char *cc[] = { "cc", "--version", NULL };
    command_line(cc, buf, sizeof(buf));
    rc |= kv_set(env, "env.compiler", buf[0] ? buf : "unknown");
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    rc |= kv_set(env, "env.date", buf);
    return rc ? -1 : 0;
}

static long long get_num(const struct kv_list *env, const char *key, int field)
{
    const char *v = kv_get(env, key);
    if (!v)
        return -1;
    char *end;
    long long n = -1;
    for (int i = 0; i <= field; i++) {
        errno = 0;
        n = strtoll(v, &end, 10);
        if (errno || end == v)
            return -1;
        v = end;
    }
    return n;
}

/* Source addresses in a bind list "A,B-C": ranges count every address. */
static long long bind_addresses(const char *bind)
{
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", bind);
    long long n = 0;
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *dash = strchr(t, '-');
        struct in_addr a, b;
        if (dash) {
            *dash = 0;
            if (inet_pton(AF_INET, t, &a) == 1 && inet_pton(AF_INET, dash + 1, &b) == 1 &&
                ntohl(b.s_addr) >= ntohl(a.s_addr)) {
                n += (long long)ntohl(b.s_addr) - ntohl(a.s_addr) + 1;
                continue;
            }
        }
        n++;
    }
    return n > 0 ? n : 1;
}

static int warn(struct kv_list *env, char *all, size_t cap, const char *msg)
{
    fprintf(stderr, "warning: %s\n", msg);
    size_t used = strlen(all);
    snprintf(all + used, cap - used, "%s%s", used ? "\n" : "", msg);
    (void)env;
    return 1;
}

int env_check(struct kv_list *env, const struct suite_config *cfg)
{
    long long clients = track_max_connections(cfg);
    char all[4096] = "", msg[512];
    int n = 0;

    long long somaxconn = get_num(env, "env.somaxconn", 0);
    if (somaxconn >= 0 && somaxconn < clients && somaxconn < 65535) {
        snprintf(msg, sizeof(msg), "net.core.somaxconn is %lld: a burst of more than that many "
                 "connects overflows the listen backlog; fix: sysctl -w net.core.somaxconn=65535",
                 somaxconn);
        n += warn(env, all, sizeof(all), msg);
    }
    long long syn = get_num(env, "env.tcp_max_syn_backlog", 0);
    if (syn >= 0 && syn < clients && syn < 65535) {
        snprintf(msg, sizeof(msg), "net.ipv4.tcp_max_syn_backlog is %lld; fix: "
                 "sysctl -w net.ipv4.tcp_max_syn_backlog=65535", syn);
        n += warn(env, all, sizeof(all), msg);
    }
    long long lo = get_num(env, "env.ip_local_port_range", 0);
    long long hi = get_num(env, "env.ip_local_port_range", 1);
    long long addrs = cfg->bind[0] ? bind_addresses(cfg->bind) : 1;
    if (lo > 0 && hi >= lo && (hi - lo + 1) * addrs < clients) {
        snprintf(msg, sizeof(msg), "net.ipv4.ip_local_port_range gives %lld ports per source "
                 "address x %lld address(es), fewer than %lld clients; fix: sysctl -w "
                 "net.ipv4.ip_local_port_range=\"1024 65535\" or more addresses in bind=",
                 hi - lo + 1, addrs, clients);
        n += warn(env, all, sizeof(all), msg);
    }
    /* Both ends of every connection live on this machine. */
    long long file_max = get_num(env, "env.file_max", 0);
    if (file_max >= 0 && file_max < 2 * clients + 4 * FD_MARGIN) {
        snprintf(msg, sizeof(msg), "fs.file-max is %lld, below 2 x %lld clients; fix: "
                 "sysctl -w fs.file-max=%lld", file_max, clients, 4 * clients + 65536);
        n += warn(env, all, sizeof(all), msg);
    }
    long long nr_open = get_num(env, "env.nr_open", 0);
    if (nr_open >= 0 && nr_open < clients + FD_MARGIN) {
        snprintf(msg, sizeof(msg), "fs.nr_open is %lld, so no process can open %lld sockets; "
                 "fix: sysctl -w fs.nr_open=%lld", nr_open, clients, clients + 65536);
        n += warn(env, all, sizeof(all), msg);
    }
    long long soft = get_num(env, "env.client_nofile_soft", 0);
    long long hard = get_num(env, "env.client_nofile_hard", 0);
    if (hard >= 0 && hard < clients + FD_MARGIN) {
        snprintf(msg, sizeof(msg), "the client's open-file hard limit is %lld, below %lld "
                 "clients + %d; fix: raise it (ulimit -Hn %lld as root, or nofile in "
                 "/etc/security/limits.conf) or run fewer clients",
                 hard, clients, FD_MARGIN, clients + 1024);
        n += warn(env, all, sizeof(all), msg);
    } else if (soft >= 0 && soft < clients + FD_MARGIN) {
        snprintf(msg, sizeof(msg), "the client's open-file soft limit is %lld, below %lld "
                 "clients + %d; fix: ulimit -n %lld before ./runsuite",
                 soft, clients, FD_MARGIN, hard);
        n += warn(env, all, sizeof(all), msg);
    }
    /* An idle loopback connection holds about a page of socket memory at
     * each end; tcp_mem's third value (pages) is the hard cap. */
    long long tcp_max = get_num(env, "env.tcp_mem", 2);
    if (tcp_max >= 0 && tcp_max < 2 * clients) {
        snprintf(msg, sizeof(msg), "net.ipv4.tcp_mem allows %lld pages of TCP memory, under "
                 "about 2 pages per connection for %lld clients; fix: sysctl -w "
                 "net.ipv4.tcp_mem=\"%lld %lld %lld\"", tcp_max, clients,
                 2 * clients, 3 * clients, 4 * clients);
        n += warn(env, all, sizeof(all), msg);
    }
    if (n)
        fprintf(stderr, "warning: ./install --tune applies the kernel settings above\n");
    kv_set(env, "env.warnings", all);
    return n;
}

int env_server_nofile(struct kv_list *rows, const char *soft_s, const char *hard_s,
                      const struct suite_config *cfg)
{
    if (!soft_s[0] || !hard_s[0])
        return 0;
    kv_set(rows, "env.server_nofile_soft", soft_s);
    kv_set(rows, "env.server_nofile_hard", hard_s);
    if (!strcmp(soft_s, "unlimited"))
        return 0;
    long long soft = strtoll(soft_s, NULL, 10);
    long clients = track_max_connections(cfg);
    if (soft < clients + FD_MARGIN) {
        fprintf(stderr, "warning: the server's open-file limit is %lld (hard %s), below %ld "
                "clients + %d; fix: raise minfds in competition/supervisord.conf (and the "
                "hard limit, ulimit -Hn) and restart supervisord\n",
                soft, hard_s, clients, FD_MARGIN);
        return 1;
    }
    return 0;
}

int env_server_limits(struct kv_list *rows, int pid, const struct suite_config *cfg)
{
    char path[64], line[512], soft[32] = "", hard[32] = "";
    snprintf(path, sizeof(path), "/proc/%d/limits", pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return 0;
    while (fgets(line, sizeof(line), f))
        if (!strncmp(line, "Max open files", 14)) {
            if (sscanf(line + 14, "%31s %31s", soft, hard) != 2)
                soft[0] = hard[0] = 0;
            break;
        }
    fclose(f);
    return env_server_nofile(rows, soft, hard, cfg);
}
