#include "echo.h"

#include "handshake.h"
#include "ws_frame.h"
#include "ws_log.h"
#include "ws_utf8.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A message with LWS_PRE bytes of headroom in front, for lws_write(). */
struct echo_buf {
    unsigned char *p;
    size_t cap;          /* payload bytes that fit after the headroom */
    size_t len;          /* payload bytes held */
    bool binary;
};

/* Per connection (lws allocates per_session_data_size zeroed bytes).
 * Idle, a connection holds no buffers: they exist while a message that
 * could not be echoed at once is in flight. */
struct echo_session {
    struct echo_buf rx;  /* message being received */
    struct echo_buf tx;  /* message being written, ECHO_CHUNK at a time */
    size_t sent;         /* bytes of tx handed to lws_write */
    bool in_message;     /* rx holds the start of an unfinished message */
    bool rx_ready;       /* rx holds a complete message waiting for tx */
    bool tx_busy;
    bool closing;        /* the peer's close arrived: data after it is ignored */
    uint8_t utf8;        /* ws_utf8 state across a text message's pieces */
};

/* After we fail a connection lws waits 5 s (hard-coded) for the peer's
 * close, which it cannot parse if the failure was mid-frame. RFC 6455 7.1.7
 * lets us close TCP instead; this timer does, once the peer has had time to
 * read our close frame. */
#define ECHO_FAIL_LINGER_US (250 * 1000)

static size_t echo_max_message;

/* Messages that arrive whole in one callback are echoed from here without
 * allocating; lws copies whatever the socket did not take. */
static unsigned char echo_scratch[LWS_PRE + ECHO_CHUNK];

static void echo_buf_free(struct echo_buf *b)
{
    free(b->p);
    *b = (struct echo_buf){0};
}

/* Makes room for need payload bytes, growing geometrically but never past
 * the largest message we accept. Returns 0 or -1 (out of memory). */
static int echo_buf_reserve(struct echo_buf *b, size_t need)
{
    if (b->p && need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap > echo_max_message && need <= echo_max_message)
        cap = echo_max_message;
    if (cap < need)
        cap = need;
    unsigned char *p = realloc(b->p, LWS_PRE + cap);
    if (!p)
        return -1;
    b->p = p;
    b->cap = cap;
    return 0;
}

static void echo_start_tx(struct lws *wsi, struct echo_session *s)
{
    struct echo_buf t = s->tx;
    s->tx = s->rx;
    s->rx = t;
    s->rx.len = 0;
    s->rx_ready = false;
    s->sent = 0;
    s->tx_busy = true;
    lws_callback_on_writable(wsi);
}

/* Fails the connection with code: lws sends the close frame once we
 * return -1 from the callback. */
static int echo_fail(struct lws *wsi, enum lws_close_status code)
{
    lws_close_reason(wsi, code, NULL, 0);
    lws_set_timer_usecs(wsi, ECHO_FAIL_LINGER_US);
    return -1;
}

static int echo_receive(struct lws *wsi, struct echo_session *s,
                        const unsigned char *in, size_t len)
{
    /* lws stops reading once rx is paused, but what it already parsed may
     * still be delivered; a third message would need a third buffer. */
    if (s->rx_ready) {
        ws_log("echo: data after rx was paused; closing 1011");
        return echo_fail(wsi, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION);
    }
    /* lws still delivers data that followed the peer's close in the same
     * read; RFC 6455 5.5.1: nothing is sent after the close reply. */
    if (s->closing)
        return 0;
    if (!s->in_message) {
        s->in_message = true;
        s->rx.len = 0;
        s->rx.binary = lws_frame_is_binary(wsi);
        s->utf8 = WS_UTF8_ACCEPT;
    }
    /* Frame length is known from its header: refuse an oversized message
     * before reading it rather than after. */
    size_t rest = lws_remaining_packet_payload(wsi);
    size_t room = echo_max_message - s->rx.len;
    if (len > room || rest > room - len)
        return echo_fail(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE);
    bool last = lws_is_final_fragment(wsi);
    if (!s->rx.binary && (ws_utf8_feed(&s->utf8, in, len) == WS_UTF8_REJECT ||
                          (last && s->utf8 != WS_UTF8_ACCEPT)))
        return echo_fail(wsi, LWS_CLOSE_STATUS_INVALID_PAYLOAD);

    /* lws_partial_buffered(), not lws_send_pipe_choked(): the latter asks
     * the kernel with a poll() per call, a third syscall per echo beside
     * recv and send. Writing to a full socket is safe here: lws keeps what
     * send() did not take (at most ECHO_CHUNK), and while it holds any,
     * messages take the paused path below. */
    if (last && s->rx.len == 0 && !s->tx_busy && len <= ECHO_CHUNK &&
        !lws_partial_buffered(wsi)) {
        s->in_message = false;
        if (len)
            memcpy(echo_scratch + LWS_PRE, in, len);
        int n = lws_write(wsi, echo_scratch + LWS_PRE, len,
                          s->rx.binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT);
        return n < (int)len ? -1 : 0;
    }

    if (echo_buf_reserve(&s->rx, s->rx.len + len + rest) != 0)
        return echo_fail(wsi, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION);
    if (len)
        memcpy(s->rx.p + LWS_PRE + s->rx.len, in, len);
    s->rx.len += len;
    if (!last)
        return 0;

    /* Complete: stop reading until it is written, so a client that sends
     * without reading holds at most two messages here. */
    s->in_message = false;
    lws_rx_flow_control(wsi, 0);
    if (s->tx_busy)
        s->rx_ready = true;
    else
        echo_start_tx(wsi, s);
    return 0;
}

static int echo_writeable(struct lws *wsi, struct echo_session *s)
{
    if (!s->tx_busy)
        return 0;
    size_t n = s->tx.len - s->sent;
    if (n > ECHO_CHUNK)
        n = ECHO_CHUNK;
    int flags = lws_write_ws_flags(s->tx.binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT,
                                   s->sent == 0, s->sent + n == s->tx.len);
    /* lws writes the frame header into the LWS_PRE bytes before the
     * pointer: headroom at first, already-sent payload after that. */
    if (lws_write(wsi, s->tx.p + LWS_PRE + s->sent, n, flags) < (int)n)
        return -1;
    s->sent += n;
    if (s->sent < s->tx.len) {
        lws_callback_on_writable(wsi);
        return 0;
    }
    s->tx_busy = false;
    echo_buf_free(&s->tx);
    if (s->rx_ready) {
        echo_start_tx(wsi, s);
        return 0;
    }
    /* Idle again: drop the receive buffer too unless a message is under way. */
    if (!s->in_message)
        echo_buf_free(&s->rx);
    lws_rx_flow_control(wsi, 1);
    return 0;
}

/* Rewrites a close payload in place to code plus a short reason, keeping
 * its length: lws echoes the buffer it passed us and then closes at once
 * (lws does the same for the codes it rejects itself). */
static void echo_rewrite_close(unsigned char *in, size_t len, unsigned code, const char *why)
{
    size_t n = strlen(why);
    if (n > len - 2)
        n = len - 2;
    in[0] = (unsigned char)(code >> 8);
    in[1] = (unsigned char)(code & 0xff);
    memset(in + 2, ' ', len - 2);
    memcpy(in + 2, why, n);
}

/* lws replaces 0-999, 1004-1006 and 1016-2999 with 1002 before calling
 * us, but echoes a 1-byte payload, codes from 5000 up, and a reason that
 * is not UTF-8 as they came. */
static int echo_peer_close(struct lws *wsi, struct echo_session *s,
                           unsigned char *in, size_t len)
{
    if (len == 1)
        return echo_fail(wsi, LWS_CLOSE_STATUS_PROTOCOL_ERR);
    if (s)
        s->closing = true;
    if (len < 2)
        return 0;
    uint8_t state = WS_UTF8_ACCEPT;
    if (!ws_close_code_valid((unsigned)in[0] << 8 | in[1]))
        echo_rewrite_close(in, len, LWS_CLOSE_STATUS_PROTOCOL_ERR, "invalid close code");
    else if (ws_utf8_feed(&state, in + 2, len - 2) != WS_UTF8_ACCEPT)
        echo_rewrite_close(in, len, LWS_CLOSE_STATUS_INVALID_PAYLOAD, "invalid UTF-8 reason");
    return 0;
}

static int echo_callback(struct lws *wsi, enum lws_callback_reasons reason,
                         void *user, void *in, size_t len)
{
    struct echo_session *s = user;
    int status;

    switch (reason) {
    case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
        status = handshake_check(wsi);
        if (status == 0)
            return 0;
        handshake_refuse(wsi, status);
        return -1;
    case LWS_CALLBACK_HTTP:
        /* Not an upgrade request: this server only speaks WebSocket. */
        handshake_refuse(wsi, 426);
        return -1;
    case LWS_CALLBACK_RECEIVE:
        return echo_receive(wsi, s, in, len);
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return echo_writeable(wsi, s);
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        return echo_peer_close(wsi, s, in, len);
    case LWS_CALLBACK_TIMER:
        return -1;   /* only echo_fail() sets it: close TCP now */
    case LWS_CALLBACK_CLOSED:
        if (s) {
            echo_buf_free(&s->rx);
            echo_buf_free(&s->tx);
        }
        return 0;
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}

void echo_protocol(struct lws_protocols *p, size_t max_message)
{
    echo_max_message = max_message;
    *p = (struct lws_protocols){
        .name = "echo",
        .callback = echo_callback,
        .per_session_data_size = sizeof(struct echo_session),
        .rx_buffer_size = ECHO_RX_BUFFER,
        /* Without this lws caps each send() at rx_buffer_size. */
        .tx_packet_size = ECHO_CHUNK,
    };
}
