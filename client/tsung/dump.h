/* Reading tsung.dump, the per-event trace Tsung writes with
 * dumptraffic="true": one record per session start or end and per TCP
 * send or receive, e.g.
 *   NewClient:1796417561.303575:1
 *   Send:1796417561.389483:<0.178.0>:GET / HTTP/1.1\r\n...\r\n\r\n\n
 *   Recv:1796417561.404658:<0.178.0>:<raw bytes>\n
 * Send and Recv carry the raw bytes, which may hold newlines, so a record
 * ends at the length its bytes say (frame headers, the end of the HTTP
 * head) when that is followed by a newline and the next record; a read
 * that ended mid-frame ends at the first newline that starts a record. */
#ifndef TSUNG_DUMP_H
#define TSUNG_DUMP_H

#include <stddef.h>
#include <stdint.h>

enum dump_kind {
    DUMP_NEW_CLIENT,   /* who = session id; the k-th one is Tsung user k+1 */
    DUMP_END_CLIENT,   /* who = Tsung user id */
    DUMP_SEND,         /* who = the user's Erlang pid; data = bytes sent */
    DUMP_RECV,         /* who = pid; data = bytes of one TCP read */
    DUMP_OTHER,        /* load:N and anything else, skipped */
};

struct dump_record {
    enum dump_kind kind;
    uint64_t t_us;             /* wall clock, us since the epoch */
    char who[32];
    const uint8_t *data;
    size_t len;
};

/* How long data[0..avail) would be if the read ended where its contents
 * say; 0 when they do not say. */
struct dump_reader {
    const uint8_t *p, *end;
    size_t line;               /* of the record just read, for messages */
};

/* How long data[0..avail) is if the read ended where its contents say
 * (checking candidates with dump_ends_at); 0 when they do not say. */
typedef size_t (*dump_len_fn)(void *ctx, const struct dump_reader *d,
                              const struct dump_record *r,
                              const uint8_t *data, size_t avail);

/* Whether a record can end at q: a newline, then another record or the
 * end of the file. */
int dump_ends_at(const struct dump_reader *d, const uint8_t *q);

void dump_init(struct dump_reader *d, const uint8_t *buf, size_t len);

/* Reads the next record; 1 on success, 0 at the end, -1 on a malformed
 * record (err says what and where; the reader skips to the next line). */
int dump_next(struct dump_reader *d, struct dump_record *r, dump_len_fn len_fn,
              void *ctx, char *err, size_t errlen);

/* "1796417561.40443" -> 1796417561404430 (rounded to the us). */
int dump_parse_time(const char *s, size_t n, uint64_t *out);

#endif
