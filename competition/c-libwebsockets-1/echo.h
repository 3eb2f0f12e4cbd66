/* The echo protocol on libwebsockets: every text or binary message goes
 * back with its opcode, whatever the fragmentation it arrived in. */
#ifndef ECHO_H
#define ECHO_H

#include <libwebsockets.h>
#include <stddef.h>

/* Bytes handed to one lws_write(); a longer message goes out as fragments
 * of this size so a slow reader costs at most one chunk of lws buffering. */
#define ECHO_CHUNK (64 * 1024)

/* Bytes lws delivers per LWS_CALLBACK_RECEIVE. lws allocates this much per
 * established connection, so it is the main cost of an idle connection. */
#define ECHO_RX_BUFFER 1024

/* Fills *p with the echo protocol. Messages over max_message bytes are
 * refused with close code 1009. Also answers the HTTP side: plain requests
 * get 426 and malformed upgrade requests 400/405/426 (see handshake.h). */
void echo_protocol(struct lws_protocols *p, size_t max_message);

#endif
