/* check.h: the smallest test harness.  CHECK records a failure and goes
 * on; check_done() prints "N passed, N failed" and gives the exit
 * status automake expects (0 pass, 1 fail). */
#ifndef TCPTOP_CHECK_H
#define TCPTOP_CHECK_H

#include <stdio.h>

static int check_passed, check_failed;

#define CHECK(cond) check_one((cond) != 0, #cond, __FILE__, __LINE__)
#define CHECK_EQ(a, b) check_eq_u((unsigned long long)(a), \
	(unsigned long long)(b), #a " == " #b, __FILE__, __LINE__)

static inline int
check_one(int ok, const char *what, const char *file, int line)
{
	if (ok)
		check_passed++;
	else {
		check_failed++;
		fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, what);
	}
	return ok;
}

static inline int
check_eq_u(unsigned long long a, unsigned long long b, const char *what,
    const char *file, int line)
{
	if (a != b)
		fprintf(stderr, "%s:%d: %llu != %llu\n", file, line, a, b);
	return check_one(a == b, what, file, line);
}

static inline int
check_done(void)
{
	printf("%d passed, %d failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
