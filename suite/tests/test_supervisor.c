/* supervisord driving against a real supervisord this test starts with its
 * own config on PORT (tests/run_all gives it one from tests/lib/free_port):
 * start, pid, stop, a program that dies at once, an unknown name, a wrong
 * password, shutdown.  Usage: test_supervisor PORT */
#include "child.h"
#include "config.h"
#include "supervisor.h"
#include "check.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define USER "suite-test"
#define PASSWORD "not-a-secret"

static char dir[] = "/tmp/suite-test-supervisor-XXXXXX";

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static int answers(struct sup *s)
{
    char state[64], err[512];
    return sup_state(s, state, sizeof(state), err, sizeof(err)) == 0 && !strcmp(state, "RUNNING");
}

/* The supervisord pid from its pidfile, 0 if none. */
static int supervisord_pid(void)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/supervisord.pid", dir);
    FILE *f = fopen(path, "r");
    int pid = 0;
    if (f) {
        if (fscanf(f, "%d", &pid) != 1)
            pid = 0;
        fclose(f);
    }
    return pid;
}

int main(int argc, char **argv)
{
    long port;
    if (argc != 2 || config_parse_long(argv[1], 1, 65535, &port) < 0) {
        fprintf(stderr, "usage: test_supervisor PORT (a free one: tests/lib/free_port)\n");
        return 2;
    }
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%ld/RPC2", port);
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    char conf[256];
    snprintf(conf, sizeof(conf), "%s/supervisord.conf", dir);
    FILE *f = fopen(conf, "w");
    if (!f) {
        perror(conf);
        return 2;
    }
    fprintf(f,
            "[supervisord]\nlogfile = %%(here)s/supervisord.log\n"
            "pidfile = %%(here)s/supervisord.pid\nchildlogdir = %%(here)s\n"
            "[inet_http_server]\nport = 127.0.0.1:%ld\nusername = " USER "\npassword = " PASSWORD "\n"
            "[rpcinterface:supervisor]\n"
            "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n"
            "[program:sleeper]\ncommand = sleep 300\nautostart = false\nstartsecs = 1\n"
            "stopwaitsecs = 5\n"
            "[program:exiter]\ncommand = /bin/sh -c 'exit 3'\nautostart = false\n"
            "autorestart = false\nstartsecs = 1\nstartretries = 0\n", port);
    if (fclose(f) != 0) {
        perror(conf);
        return 2;
    }

    char err[1024];
    struct sup *s = sup_open(url, USER, PASSWORD, 30000, err, sizeof(err));
    if (!s) {
        printf("FAIL sup_open: %s\n", err);
        return 1;
    }
    CHECK(!answers(s), "nothing answers on %ld before the test starts supervisord", port);
    char *sargv[] = { "supervisord", "-c", conf, NULL };
    struct child_opts o = { .timeout_ms = 15000 };
    struct child_result r;
    int rc = child_run(sargv, &o, &r, err, sizeof(err));
    CHECK(rc == 0 && r.exited && r.code == 0, "supervisord -c %s started", conf);
    int up = 0;
    for (int i = 0; i < 75 && !(up = answers(s)); i++)
        sleep_ms(200);
    CHECK(up, "supervisor.getState answers RUNNING");
    if (!up)
        goto out;

    char version[64];
    CHECK(sup_version(s, version, sizeof(version), err, sizeof(err)) == 0 && version[0],
          "supervisor.getSupervisorVersion: %s", version);

    struct sup *bad = sup_open(url, USER, "wrong", 30000, err, sizeof(err));
    char state[64];
    CHECK(bad && sup_state(bad, state, sizeof(state), err, sizeof(err)) == -1 &&
          strstr(err, "401"), "a wrong password is refused: %s", err);
    sup_close(bad);

    struct sup_process p;
    CHECK(sup_start(s, "sleeper", err, sizeof(err)) == 0, "startProcess sleeper");
    rc = sup_info(s, "sleeper", &p, err, sizeof(err));
    CHECK(rc == 0 && p.pid > 0 && p.state == SUP_STATE_RUNNING && !strcmp(p.statename, "RUNNING"),
          "getProcessInfo sleeper: pid %d, %s", p.pid, p.statename);
    int pid = p.pid;
    char path[64], cmdline[64] = "";
    snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
    FILE *c = fopen(path, "r");
    if (c) {
        size_t n = fread(cmdline, 1, sizeof(cmdline) - 1, c);
        cmdline[n] = 0;
        fclose(c);
    }
    CHECK(!strcmp(cmdline, "sleep"), "pid %d is the sleep process (%s)", pid, cmdline);
    CHECK(sup_start(s, "sleeper", err, sizeof(err)) == -1 && sup_last_fault(s) == 60,
          "starting it again: ALREADY_STARTED (%d)", sup_last_fault(s));

    CHECK(sup_stop(s, "sleeper", err, sizeof(err)) == 0, "stopProcess sleeper");
    rc = sup_info(s, "sleeper", &p, err, sizeof(err));
    CHECK(rc == 0 && p.pid == 0 && !strcmp(p.statename, "STOPPED"), "after stop: pid %d, %s",
          p.pid, p.statename);
    CHECK(kill(pid, 0) == -1 && errno == ESRCH, "process %d is gone", pid);
    CHECK(sup_stop(s, "sleeper", err, sizeof(err)) == -1 &&
          sup_last_fault(s) == SUP_FAULT_NOT_RUNNING, "stopping it again: NOT_RUNNING (%d)",
          sup_last_fault(s));

    rc = sup_start(s, "exiter", err, sizeof(err));
    CHECK(rc == -1 && sup_last_fault(s) == SUP_FAULT_SPAWN_ERROR,
          "a program that exits at once fails to start: fault %d: %s", sup_last_fault(s), err);
    rc = sup_info(s, "exiter", &p, err, sizeof(err));
    /* FATAL or EXITED depending on timing; either way not running. */
    CHECK(rc == 0 && p.state != SUP_STATE_RUNNING && p.pid == 0 &&
          (!strcmp(p.statename, "FATAL") || !strcmp(p.statename, "EXITED")),
          "exiter is not running: %s, no pid", p.statename);

    CHECK(sup_info(s, "no-such-program", &p, err, sizeof(err)) == -1 &&
          sup_last_fault(s) == SUP_FAULT_BAD_NAME, "an unknown name: BAD_NAME (%d)",
          sup_last_fault(s));

out:;
    int spid = supervisord_pid();
    rc = sup_shutdown(s, err, sizeof(err));
    CHECK(rc == 0, "supervisor.shutdown%s%s", rc ? ": " : "", rc ? err : "");
    int down = 0;
    for (int i = 0; i < 100 && !(down = spid > 0 && kill(spid, 0) == -1); i++)
        sleep_ms(100);
    CHECK(down, "supervisord (pid %d) has exited", spid);
    if (!down && spid > 0)
        kill(spid, SIGTERM);
    sup_close(s);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_done("test_supervisor");
}
