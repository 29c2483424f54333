/* Allocation that does not return on failure. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "tcptop/fatal.h"
#include "tcptop/xmalloc.h"

/* Arrays this large are one row or slot per socket of a busy box (the
 * hashes, the view, the sort): they are asked to be backed by
 * transparent huge pages, so filling one takes a fault per 2 MiB, not
 * per 4 KiB (on a VM, some microseconds each: 80 ms of a million-socket
 * first screen went to faults).  Only the 2 MiB-aligned pages inside
 * such an array can be huge, so at most one more huge page is resident
 * than it uses at either end. */
#define XMALLOC_HUGE_FROM ((size_t)8 << 20)
#define XMALLOC_HUGE_PAGE ((size_t)2 << 20)

static void *
xmalloc_advise(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
	uintptr_t a, e;

	if (bytes < XMALLOC_HUGE_FROM)
		return p;
	a = ((uintptr_t)p + XMALLOC_HUGE_PAGE - 1) & ~(XMALLOC_HUGE_PAGE - 1);
	e = ((uintptr_t)p + bytes) & ~(XMALLOC_HUGE_PAGE - 1);
	if (e > a)
		(void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
	(void)bytes;
#endif
	return p;
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		fatalx("out of memory (%zu bytes)", n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		fatalx("out of memory (%zu * %zu bytes)", n, size);
	return xmalloc_advise(p, n * size);
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		fatalx("out of memory (%zu * %zu bytes)", n, size);
	p = realloc(p, n != 0 && size != 0 ? n * size : 1);
	if (p == NULL)
		fatalx("out of memory (%zu * %zu bytes)", n, size);
	return xmalloc_advise(p, n * size);
}

void *
xshrinkarray(void *p, size_t n, size_t *cap, size_t size)
{
	if (*cap <= 4096 || *cap / 4 < n)
		return p;
	*cap = n * 2 > 64 ? n * 2 : 64;
	return xreallocarray(p, *cap, size);
}
