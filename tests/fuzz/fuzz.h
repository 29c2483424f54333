/* fuzz.h: what the libFuzzer harnesses of tests/fuzz share. */
#ifndef TCPTOP_FUZZ_H
#define TCPTOP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tcptop/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property of the code under test does not hold: say which and abort,
 * which libFuzzer reports as a crash with the input saved. */
static inline void
fuzz_fail(const char *what, const char *file, int line)
{
	fprintf(stderr, "%s:%d: property failed: %s\n", file, line, what);
	abort();
}
#define FUZZ_ASSERT(cond) \
	do { if (!(cond)) fuzz_fail(#cond, __FILE__, __LINE__); } while (0)

/* Nonzero when the NUL-terminated s is safe to print: text_clean (the
 * project's rule for any string from outside: printable ASCII and
 * well-formed UTF-8 from U+00A0, no controls) leaves it as it is.  The
 * one-line reasons go to the terminal, stderr and JSON, so no byte of
 * the input may reach them raw. */
static inline int
fuzz_printable(const char *s)
{
	static char clean[4096];
	size_t n = strlen(s);

	if (n >= sizeof clean)
		return 0;
	text_clean(clean, sizeof clean, s, n, 0);
	return strcmp(clean, s) == 0;
}

/* The input as a file, for the readers that take a path: an anonymous
 * memory file (a regular file to fstat) whose /proc/self/fd path goes
 * into path (len bytes).  Returns its fd, or -1 (the harness then skips
 * the input: that is the machine failing, not the code). */
static inline int
fuzz_memfile(const uint8_t *data, size_t size, char *path, size_t len)
{
	size_t off = 0;
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd == -1)
		return -1;
	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);

		if (n <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return fd;
}

#endif
