#include "supervisor.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xmlrpc-c/base.h>
#include <xmlrpc-c/client.h>

struct sup {
    xmlrpc_client *client;
    xmlrpc_server_info *server;
    int last_fault;
};

static int global_ready;

static int fail_env(struct sup *s, xmlrpc_env *env, const char *what, char *err, size_t errlen)
{
    if (s)
        s->last_fault = env->fault_code > 0 ? env->fault_code : 0;
    snprintf(err, errlen, "%s: %s (fault %d)", what,
             env->fault_string ? env->fault_string : "unknown error", env->fault_code);
    xmlrpc_env_clean(env);
    return -1;
}

struct sup *sup_open(const char *url, const char *user, const char *password,
                     unsigned timeout_ms, char *err, size_t errlen)
{
    xmlrpc_env env;
    xmlrpc_env_init(&env);
    if (!global_ready) {
        xmlrpc_client_setup_global_const(&env);
        if (env.fault_occurred) {
            fail_env(NULL, &env, "xmlrpc-c set-up", err, errlen);
            return NULL;
        }
        global_ready = 1;
    }
    struct sup *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    /* Without a timeout a wedged supervisord would hang the suite. */
    struct xmlrpc_curl_xportparms curl = { .timeout = timeout_ms };
    struct xmlrpc_clientparms parms = {
        .transport = "curl",
        .transportparmsP = &curl,
        .transportparm_size = XMLRPC_CXPSIZE(timeout),
    };
    xmlrpc_client_create(&env, XMLRPC_CLIENT_NO_FLAGS, "runsuite", "1.0",
                         &parms, XMLRPC_CPSIZE(transportparm_size), &s->client);
    if (env.fault_occurred)
        goto fail;
    s->server = xmlrpc_server_info_new(&env, url);
    if (env.fault_occurred)
        goto fail;
    if (user && *user) {
        xmlrpc_server_info_set_user(&env, s->server, user, password ? password : "");
        if (env.fault_occurred)
            goto fail;
        xmlrpc_server_info_allow_auth_basic(&env, s->server);
        if (env.fault_occurred)
            goto fail;
    }
    return s;
fail:
    fail_env(s, &env, url, err, errlen);
    sup_close(s);
    return NULL;
}

void sup_close(struct sup *s)
{
    if (!s)
        return;
    if (s->server)
        xmlrpc_server_info_free(s->server);
    if (s->client)
        xmlrpc_client_destroy(s->client);
    free(s);
}

int sup_last_fault(const struct sup *s)
{
    return s->last_fault;
}

/* Calls method with params built from format (xmlrpc-c's build syntax);
 * the caller frees *result. */
static int call(struct sup *s, const char *method, xmlrpc_value **result,
                char *err, size_t errlen, const char *format, ...)
{
    xmlrpc_env env;
    xmlrpc_env_init(&env);
    s->last_fault = 0;
    va_list ap;
    va_start(ap, format);
    xmlrpc_value *params = NULL;
    const char *tail = NULL;
    xmlrpc_build_value_va(&env, format, ap, &params, &tail);
    va_end(ap);
    if (env.fault_occurred)
        return fail_env(s, &env, method, err, errlen);
    xmlrpc_client_call2(&env, s->client, s->server, method, params, result);
    xmlrpc_DECREF(params);
    if (env.fault_occurred)
        return fail_env(s, &env, method, err, errlen);
    return 0;
}

static int read_string_member(xmlrpc_env *env, xmlrpc_value *st, const char *key,
                              char *out, size_t cap)
{
    xmlrpc_value *v = NULL;
    xmlrpc_struct_find_value(env, st, key, &v);
    if (env->fault_occurred || !v)
        return -1;
    const char *str = NULL;
    xmlrpc_read_string(env, v, &str);
    xmlrpc_DECREF(v);
    if (env->fault_occurred)
        return -1;
    snprintf(out, cap, "%s", str);
    free((void *)str);
    return 0;
}

static int read_int_member(xmlrpc_env *env, xmlrpc_value *st, const char *key, int *out)
{
    xmlrpc_value *v = NULL;
    xmlrpc_struct_find_value(env, st, key, &v);
    if (env->fault_occurred || !v)
        return -1;
    xmlrpc_read_int(env, v, out);
    xmlrpc_DECREF(v);
    return env->fault_occurred ? -1 : 0;
}

int sup_state(struct sup *s, char *state, size_t cap, char *err, size_t errlen)
{
    xmlrpc_value *r;
    if (call(s, "supervisor.getState", &r, err, errlen, "()"))
        return -1;
    xmlrpc_env env;
    xmlrpc_env_init(&env);
    int rc = read_string_member(&env, r, "statename", state, cap);
    xmlrpc_DECREF(r);
    if (rc) {
        if (!env.fault_occurred)
            snprintf(err, errlen, "supervisor.getState: no statename in the answer");
        else
            fail_env(s, &env, "supervisor.getState", err, errlen);
        return -1;
    }
    return 0;
}

/* A method that takes nothing and answers a string. */
static int call_string(struct sup *s, const char *method, char *out, size_t cap, char *err,
                       size_t errlen)
{
    xmlrpc_value *r;
    if (call(s, method, &r, err, errlen, "()"))
        return -1;
    xmlrpc_env env;
    xmlrpc_env_init(&env);
    const char *str = NULL;
    xmlrpc_read_string(&env, r, &str);
    xmlrpc_DECREF(r);
    if (env.fault_occurred)
        return fail_env(s, &env, method, err, errlen);
    snprintf(out, cap, "%s", str);
    free((void *)str);
    return 0;
}

int sup_version(struct sup *s, char *version, size_t cap, char *err, size_t errlen)
{
    return call_string(s, "supervisor.getSupervisorVersion", version, cap, err, errlen);
}

#define NO_WSSTATS "this supervisord has no wsstats extension: add [rpcinterface:wsstats] " \
    "as in competition/supervisord.conf, run ./install on its machine and restart it"

int sup_wsstats_version(struct sup *s, char *version, size_t cap, char *err, size_t errlen)
{
    if (call_string(s, "wsstats.getAPIVersion", version, cap, err, errlen) == 0)
        return 0;
    if (s->last_fault == SUP_FAULT_UNKNOWN_METHOD)
        snprintf(err, errlen, NO_WSSTATS);
    return -1;
}

/* Both wait (second argument true): startProcess returns once the program
 * has stayed up for its startsecs, or with a fault if it died. */
int sup_start(struct sup *s, const char *name, char *err, size_t errlen)
{
    xmlrpc_value *r;
    if (call(s, "supervisor.startProcess", &r, err, errlen, "(sb)", name, (xmlrpc_bool)1))
        return -1;
    xmlrpc_DECREF(r);
    return 0;
}

int sup_stop(struct sup *s, const char *name, char *err, size_t errlen)
{
    xmlrpc_value *r;
    if (call(s, "supervisor.stopProcess", &r, err, errlen, "(sb)", name, (xmlrpc_bool)1))
        return -1;
    xmlrpc_DECREF(r);
    return 0;
}

int sup_info(struct sup *s, const char *name, struct sup_process *p, char *err, size_t errlen)
{
    xmlrpc_value *r;
    if (call(s, "supervisor.getProcessInfo", &r, err, errlen, "(s)", name))
        return -1;
    xmlrpc_env env;
    xmlrpc_env_init(&env);
    memset(p, 0, sizeof(*p));
    int rc = read_int_member(&env, r, "pid", &p->pid);
    if (!rc)
        rc = read_int_member(&env, r, "state", &p->state);
    if (!rc)
        rc = read_int_member(&env, r, "exitstatus", &p->exitstatus);
    if (!rc)
        rc = read_string_member(&env, r, "statename", p->statename, sizeof(p->statename));
    if (!rc)
        rc = read_string_member(&env, r, "spawnerr", p->spawnerr, sizeof(p->spawnerr));
    xmlrpc_DECREF(r);
    if (rc) {
        if (env.fault_occurred)
            return fail_env(s, &env, "supervisor.getProcessInfo", err, errlen);
        snprintf(err, errlen, "supervisor.getProcessInfo: answer lacks a field");
        return -1;
    }
    return 0;
}

static int read_double_member(xmlrpc_env *env, xmlrpc_value *st, const char *key, double *out)
{
    xmlrpc_value *v = NULL;
    xmlrpc_struct_find_value(env, st, key, &v);
    if (env->fault_occurred || !v)
        return -1;
    xmlrpc_read_double(env, v, out);
    xmlrpc_DECREF(v);
    return env->fault_occurred ? -1 : 0;
}

int sup_group_stats(struct sup *s, const char *name, struct sup_stats *st, char *err,
                    size_t errlen)
{
    xmlrpc_value *r;
    if (call(s, "wsstats.getGroupStats", &r, err, errlen, "(s)", name)) {
        if (s->last_fault == SUP_FAULT_UNKNOWN_METHOD)
            snprintf(err, errlen, NO_WSSTATS);
        return -1;
    }
    xmlrpc_env env;
    xmlrpc_env_init(&env);
    memset(st, 0, sizeof(*st));
    int pss_kb = 0, rss_kb = 0;
    int rc = read_int_member(&env, r, "pid", &st->pid);
    if (!rc)
        rc = read_int_member(&env, r, "processes", &st->processes);
    if (!rc)
        rc = read_int_member(&env, r, "pss_kb", &pss_kb);
    if (!rc)
        rc = read_int_member(&env, r, "rss_kb", &rss_kb);
    if (!rc)
        rc = read_double_member(&env, r, "cpu_seconds", &st->cpu_seconds);
    if (!rc)
        rc = read_string_member(&env, r, "nofile_soft", st->nofile_soft, sizeof(st->nofile_soft));
    if (!rc)
        rc = read_string_member(&env, r, "nofile_hard", st->nofile_hard, sizeof(st->nofile_hard));
    xmlrpc_DECREF(r);
    if (rc) {
        if (env.fault_occurred)
            return fail_env(s, &env, "wsstats.getGroupStats", err, errlen);
        snprintf(err, errlen, "wsstats.getGroupStats: answer lacks a field");
        return -1;
    }
    /* KiB on the wire: XML-RPC integers are 32-bit. */
    st->pss_bytes = (long long)pss_kb * 1024;
    st->rss_bytes = (long long)rss_kb * 1024;
    return 0;
}

int sup_shutdown(struct sup *s, char *err, size_t errlen)
{
    xmlrpc_value *r;
    if (call(s, "supervisor.shutdown", &r, err, errlen, "()"))
        return -1;
    xmlrpc_DECREF(r);
    return 0;
}
