/* Self-tests of the harness's parts that do not need a server: frame
 * building, frame and response reading over a socketpair fed byte by byte,
 * the verdict rules against scripted server bytes, the known-failures file
 * and the JSON round trip. `make test`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cases.h"
#include "check.h"
#include "http.h"
#include "json.h"
#include "known.h"
#include "results.h"
#include "run.h"
#include "wsc_frame.h"


/* A run whose connection is one end of a socketpair; *peer is the other. */
static void fake_run(struct run *r, const struct run_config *cfg, int *peer)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) < 0) {
        perror("socketpair");
        exit(1);
    }
    run_init(r, cfg, 7, 5000);
    r->conn.fd = sv[0];
    r->conn.hard_deadline = r->hard_deadline;
    r->connected = true;
    *peer = sv[1];
}

static void put(int fd, const void *p, size_t n)
{
    if (write(fd, p, n) != (ssize_t)n) {
        perror("write");
        exit(1);
    }
}

static void test_frame_building(void)
{
    struct run_config cfg = { 0 };
    struct run r;
    run_init(&r, &cfg, 1, 1000);
    run_frame(&r, true, 0x40, WSC_OP_TEXT, "Hello", 5);
    struct wsc_header h;
    CHECK(wsc_header_parse(r.wire.p, r.wire.len, &h) == 6);
    CHECK(r.wire.p[0] == 0xC1);           /* FIN | RSV1 | text */
    CHECK(r.wire.p[1] == 0x85);           /* masked, 5 bytes */
    CHECK(h.rsv == 0x40 && h.masked && h.len == 5);
    wsc_mask(r.wire.p + 6, 5, h.mask, 0);
    CHECK(memcmp(r.wire.p + 6, "Hello", 5) == 0);
    r.wire.len = 0;
    run_frame(&r, false, 0, 0xB, NULL, 0);  /* reserved opcode, not final */
    CHECK(r.wire.len == 6 && r.wire.p[0] == 0x0B && r.wire.p[1] == 0x80);
    r.wire.len = 0;
    run_close_frame(&r, 1002, "ab", 2);
    CHECK(r.close_sent);
    CHECK(wsc_header_parse(r.wire.p, r.wire.len, &h) == 6 && h.len == 4);
    wsc_mask(r.wire.p + 6, 4, h.mask, 0);
    CHECK(memcmp(r.wire.p + 6, "\x03\xea" "ab", 4) == 0);
    run_finish(&r);
}

/* Frames fed one byte at a time must come out whole, and only when whole. */
static void test_bytewise_frames(void)
{
    struct run_config cfg = { 0 };
    struct run r;
    int peer;
    fake_run(&r, &cfg, &peer);
    static const uint8_t wire[] = { 0x01, 0x03, 'a', 'b', 'c', 0x89, 0x01, 'p',
                                    0x80, 0x02, 'd', 'e' };
    struct run_event ev;
    size_t fed = 0;
    int kinds = 0;
    while (fed < sizeof wire) {
        put(peer, wire + fed++, 1);
        run_next_event(&r, &ev, 0);
        if (ev.kind == EV_TIMEOUT)
            continue;
        CHECK(ev.kind == EV_MESSAGE && fed == sizeof wire);
        CHECK(ev.opcode == WSC_OP_TEXT && ev.len == 5 && memcmp(ev.data, "abcde", 5) == 0);
        kinds++;
    }
    CHECK(kinds == 1);
    /* The ping in the middle was answered with a masked pong "p". */
    uint8_t pong[16];
    ssize_t n = read(peer, pong, sizeof pong);
    CHECK(n == 7 && pong[0] == 0x8A && pong[1] == 0x81);
    if (n == 7)
        CHECK((pong[6] ^ pong[2]) == 'p');
    close(peer);
    run_finish(&r);
}

static void test_http_response(void)
{
    struct run_config cfg = { 0 };
    struct run r;
    int peer;
    fake_run(&r, &cfg, &peer);
    static const char resp[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\n"
                               "Connection: keep-alive, Upgrade\r\n"
                               "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\x81\x00";
    put(peer, resp, sizeof resp - 1);
    struct http_response h;
    char err[160];
    CHECK(http_read_response(&r.conn, &h, 1000, err, sizeof err) == HTTP_READ_OK);
    CHECK(h.status == 101);
    CHECK(http_check_upgrade(&h) == NULL);
    CHECK(http_header_has_token(&h, "connection", "upgrade"));
    CHECK(!http_header_has_token(&h, "connection", "upgrad"));
    CHECK(conn_pending(&r.conn) == 2);   /* the frame after the head stays */
    http_response_free(&h);
    close(peer);
    run_finish(&r);
}

/* The verdict for "server must fail the connection with 1002", given what
 * the server sends. */
static enum verdict judge_fail(const void *server_bytes, size_t n, bool close_after)
{
    struct run_config cfg = { 0 };
    struct run r;
    int peer;
    fake_run(&r, &cfg, &peer);
    put(peer, server_bytes, n);
    if (close_after)
        close(peer);
    run_expect_fail_close(&r, 1002);
    enum verdict v = r.verdict;
    if (!close_after)
        close(peer);
    run_finish(&r);
    return v;
}

static void test_verdicts(void)
{
    CHECK(judge_fail("\x88\x02\x03\xea", 4, true) == VERDICT_PASS);
    CHECK(judge_fail("\x88\x02\x03\xe8", 4, true) == VERDICT_NONSTRICT);   /* 1000 */
    CHECK(judge_fail("", 0, true) == VERDICT_NONSTRICT);                     /* bare TCP close */
    CHECK(judge_fail("\x81\x01x", 3, true) == VERDICT_FAIL);                 /* an echo */
    CHECK(judge_fail("\x88\x01\x03", 3, true) == VERDICT_FAIL);              /* 1-byte close */
    CHECK(judge_fail("\x88\x82\0\0\0\0\x03\xea", 8, true) == VERDICT_FAIL);      /* masked */
    CHECK(judge_fail("\x88\x02\x03\xed", 4, true) == VERDICT_FAIL);      /* code 1005 */
    CHECK(judge_fail("\x88\x04\x03\xea\xc0\xaf", 6, true) == VERDICT_FAIL);  /* bad UTF-8 */
    CHECK(judge_fail("\x88\x04\x03\xea\xc2\xb5", 6, true) == VERDICT_PASS);  /* U+00B5 */
    /* Close 1002 then bytes after it. */
    CHECK(judge_fail("\x88\x02\x03\xea\x81\x00", 6, true) == VERDICT_FAIL);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static void test_known(void)
{
    char dir[] = "/tmp/cf-test-XXXXXX", path[64], err[256];
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(1);
    }
    snprintf(path, sizeof path, "%s/known.txt", dir);
    struct known k;
    CHECK(known_load(&k, path, err, sizeof err) == 0 && k.n == 0);   /* missing: none */
    write_file(path, "# comment\n\n2.10  answers only one ping \n7.9.11 accepts 5000\n");
    CHECK(known_load(&k, path, err, sizeof err) == 0 && k.n == 2);
    CHECK(known_reason(&k, "2.10") && strcmp(known_reason(&k, "2.10"), "answers only one ping") == 0);
    CHECK(known_reason(&k, "2.1") == NULL);
    known_free(&k);
    write_file(path, "99.1 no such case\n");
    CHECK(known_load(&k, path, err, sizeof err) < 0 && strstr(err, ":1: unknown case ID"));
    write_file(path, "2.10\n");
    CHECK(known_load(&k, path, err, sizeof err) < 0 && strstr(err, "has no reason"));
    write_file(path, "2.10 a\n2.10 b\n");
    CHECK(known_load(&k, path, err, sizeof err) < 0 && strstr(err, ":2: case 2.10 declared twice"));
    unlink(path);
    rmdir(dir);
}

static void test_json(void)
{
    char dir[] = "/tmp/cf-test-XXXXXX", path[64], err[256];
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(1);
    }
    snprintf(path, sizeof path, "%s/r.json", dir);
    struct results rs = { .name = strdup("x\"y"), .host = strdup("h"), .port = 8700,
                          .date = strdup("d"), .machine = strdup("m\\n"), .command = strdup("c") };
    results_add(&rs, "1.1.1", "desc | pipe", STATUS_PASS, "", NULL, 3);
    results_add(&rs, "2.10", "d2", STATUS_KNOWN, "reason\twith tab \xce\xba", "declared", 4);
    CHECK(results_write_json(&rs, path, err, sizeof err) == 0);
    struct results back;
    CHECK(results_read_json(&back, path, err, sizeof err) == 0);
    CHECK(back.n == 2 && strcmp(back.name, "x\"y") == 0 && strcmp(back.machine, "m\\n") == 0);
    CHECK(back.port == 8700 && back.v[1].status == STATUS_KNOWN && back.v[1].ms == 4);
    CHECK(strcmp(back.v[1].reason, "reason\twith tab \xce\xba") == 0);
    CHECK(strcmp(back.v[1].known, "declared") == 0 && back.v[0].known == NULL);
    results_free(&back);
    results_free(&rs);
    write_file(path, "{\"format\": \"ws-conformance-1\", \"name\": \"a\", \"cases\": [{]}");
    CHECK(results_read_json(&back, path, err, sizeof err) < 0 && strstr(err, "not valid JSON"));
    write_file(path, "{\"name\": \"a\", \"cases\": []}");
    CHECK(results_read_json(&back, path, err, sizeof err) < 0 && strstr(err, "not a conformance results file"));
    unlink(path);
    rmdir(dir);
}

static void test_case_table(void)
{
    size_t n;
    const struct cf_case *const *all = cases_all(&n);
    CHECK(n > 150);
    for (size_t i = 0; i < n; i++) {
        CHECK(all[i]->fn != NULL && all[i]->desc[0] != '\0');
        CHECK(cases_find(all[i]->id) == all[i]);   /* IDs are unique */
    }
}

int main(void)
{
    test_frame_building();
    test_bytewise_frames();
    test_http_response();
    test_verdicts();
    test_known();
    test_json();
    test_case_table();
    return check_done("test_harness");
}
