/* One line per notable event on stderr: "<name>[pid] message". */
#ifndef WS_LOG_H
#define WS_LOG_H

void ws_log_init(const char *name);
void ws_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
