/* Whether supervisord, and so the servers it runs, is on this machine:
 * then their memory and CPU are read from our /proc. */
#ifndef SUITE_LOCALITY_H
#define SUITE_LOCALITY_H

#include <stdbool.h>

/* True when the host of url ("http://[user:pw@]HOST[:port]/...") resolves to
 * a loopback address or to an address of one of this machine's interfaces.
 * A host that does not resolve is not local. */
bool url_is_this_machine(const char *url);

#endif
