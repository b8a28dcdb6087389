/*
 * error.h: a cause string carried up from where a failure is understood
 * to the CLI, which alone prints it (tmux's "cause"). Messages are
 * git-style: lowercase, no full stop, naming the file at fault.
 */
#ifndef TRUEMEM_ERROR_H
#define TRUEMEM_ERROR_H

struct tm_error {
	char msg[512];
};

/* Formats msg into err (if err is non-NULL) and returns code (a -errno or -1), for `return errorf(...)`. */
__attribute__((format(printf, 3, 4)))
int errorf(struct tm_error *err, int code, const char *fmt, ...);

#endif
