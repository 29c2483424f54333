/* fuzz-settings: a tcptoprc file through settings_load (settings.c).
 * Properties: it returns 0 or -1 (the file exists), fills s wholly (all
 * zeros on -1), keeps every value in its documented range, and its
 * warning is one printable line that holds no byte of the file raw.
 * Seeds: hand-written files of every key, good and broken. */
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "tcptop/alerts.h"
#include "tcptop/settings.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct settings zero;
	struct settings s;
	char path[64], warn[256];
	int fd, rc, k;

	if ((fd = fuzz_memfile(data, size, path, sizeof path)) == -1)
		return 0;
	memset(&s, 0xa5, sizeof s);
	memset(warn, 'x', sizeof warn);
	rc = settings_load(&s, path, warn, sizeof warn);
	close(fd);
	FUZZ_ASSERT(rc == 0 || rc == -1);
	FUZZ_ASSERT(memchr(warn, '\0', sizeof warn) != NULL);
	FUZZ_ASSERT(fuzz_printable(warn));
	if (rc == -1) {
		FUZZ_ASSERT(warn[0] != '\0');
		FUZZ_ASSERT(memcmp(&s, &zero, sizeof s) == 0);
		return 0;
	}
	if (s.set & SETTINGS_DELAY)
		FUZZ_ASSERT(s.delay >= SETTINGS_DELAY_MIN &&
		    s.delay <= SETTINGS_DELAY_MAX);
	if (s.set & SETTINGS_REVERSE)
		FUZZ_ASSERT(s.sort_reverse == 0 || s.sort_reverse == 1);
	if (s.set & SETTINGS_COLOR)
		FUZZ_ASSERT(s.color == 0 || s.color == 1);
	if (s.set & SETTINGS_ASCII)
		FUZZ_ASSERT(s.ascii == 0 || s.ascii == 1);
	if (s.set & SETTINGS_COLUMNS)
		FUZZ_ASSERT(memchr(s.columns, '\0', sizeof s.columns) !=
		    NULL && s.columns[0] != '\0');
	for (k = 0; k < ALERT_NKINDS; k++)
		if (s.alert_set & (1u << k))
			FUZZ_ASSERT(s.alert[k] >= alert_kinds[k].min &&
			    s.alert[k] <= alert_kinds[k].max);
	return 0;
}
