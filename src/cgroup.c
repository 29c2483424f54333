/* cgroup v2 ids: interned for the samples, turned into paths by walking
 * the cgroup2 mount, and shortened for the column. */
#include <ctype.h>
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <unistd.h>

#include "tcptop/cgroup.h"
#include "tcptop/text.h"
#include "tcptop/xmalloc.h"

/* Interned ids; slot 0 is none. */
static uint64_t *cgroup_ids;
static size_t cgroup_nids = 1, cgroup_cap;

uint16_t
cgroup_intern(uint64_t id)
{
	static size_t last;
	size_t i;

	if (id == 0)
		return 0;
	/* A dump is mostly runs of sockets of one service. */
	if (last != 0 && cgroup_ids[last] == id)
		return (uint16_t)last;
	for (i = 1; i < cgroup_nids; i++)
		if (cgroup_ids[i] == id)
			return (uint16_t)(last = i);
	if (cgroup_nids > UINT16_MAX)
		return 0;
	if (cgroup_nids >= cgroup_cap) {
		cgroup_cap = cgroup_cap ? cgroup_cap * 2 : 64;
		cgroup_ids = xreallocarray(cgroup_ids, cgroup_cap,
		    sizeof *cgroup_ids);
	}
	cgroup_ids[cgroup_nids] = id;
	return (uint16_t)(last = cgroup_nids++);
}

uint64_t
cgroup_id(uint16_t idx)
{
	return idx != 0 && idx < cgroup_nids ? cgroup_ids[idx] : 0;
}

size_t
cgroup_count(void)
{
	return cgroup_nids;
}

struct cgroup_map {
	char *root;		/* the mount point, NULL if none */
	char **paths;		/* by index; NULL unknown */
	size_t npaths;		/* slots in paths */
	size_t nknown;		/* indexes below this all have a path */
	int64_t walked_ms;	/* last walk */
	int walked;
};

/* Octal escapes of mountinfo (\040 for a space) undone in place. */
static void
cgroup_unescape(char *s)
{
	char *d = s;

	while (*s != '\0') {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
			    (s[3] - '0'));
			s += 4;
		} else
			*d++ = *s++;
	}
	*d = '\0';
}

int
cgroup_find_mount(const char *mountinfo, char *buf, size_t len)
{
	char line[4096];
	FILE *fp;
	int found = -1;

	if ((fp = fopen(mountinfo, "re")) == NULL)
		return -1;
	while (found == -1 && fgets(line, sizeof line, fp) != NULL) {
		char *f[5], *sep, *save = NULL, *p = line;
		int i;

		/* id parent dev root mountpoint ... - fstype source opts */
		for (i = 0; i < 5; i++, p = NULL)
			if ((f[i] = strtok_r(p, " ", &save)) == NULL)
				break;
		if (i < 5 || (sep = strstr(save, " - ")) == NULL)
			continue;
		if (strncmp(sep + 3, "cgroup2 ", 8) != 0)
			continue;
		cgroup_unescape(f[4]);
		if ((size_t)snprintf(buf, len, "%s", f[4]) < len)
			found = 0;
	}
	fclose(fp);
	return found;
}

/* The file handle of a cgroup2 directory is its 8-byte id (kernfs);
 * anything else is not a cgroup. */
static int
cgroup_handle_id(int dirfd, const char *path, uint64_t *id)
{
	union {
		struct file_handle fh;
		char buf[sizeof(struct file_handle) + sizeof(uint64_t)];
	} h;
	struct statfs sf;
	int mnt_id, fd;

	fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (fstatfs(fd, &sf) == -1 || sf.f_type != CGROUP2_SUPER_MAGIC) {
		close(fd);
		errno = ENOTDIR;
		return -1;
	}
	memset(&h, 0, sizeof h);
	h.fh.handle_bytes = sizeof(uint64_t);
	if (name_to_handle_at(fd, "", &h.fh, &mnt_id, AT_EMPTY_PATH) == -1 ||
	    h.fh.handle_bytes != sizeof(uint64_t)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	close(fd);
	memcpy(id, h.fh.f_handle, sizeof *id);
	return 0;
}

int
cgroup_path_id(const char *path, uint64_t *id, const char **why)
{
	char mnt[4096];
	int dirfd, rc;

	if (cgroup_handle_id(AT_FDCWD, path, id) == 0)
		return 0;
	while (*path == '/')
		path++;
	if (cgroup_find_mount("/proc/self/mountinfo", mnt, sizeof mnt) == -1) {
		*why = "no cgroup2 mount";
		return -1;
	}
	if (*path == '\0')
		path = ".";
	if ((dirfd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		*why = "cannot open the cgroup2 mount";
		return -1;
	}
	rc = cgroup_handle_id(dirfd, path, id);
	close(dirfd);
	if (rc == -1)
		*why = "is no cgroup2 directory (absolute or below the "
		    "cgroup2 mount)";
	return rc;
}

struct cgroup_map *
cgroup_map_new(const char *root)
{
	struct cgroup_map *m = xcalloc(1, sizeof *m);
	char buf[4096];

	if (root == NULL && cgroup_find_mount("/proc/self/mountinfo", buf,
	    sizeof buf) == 0)
		root = buf;
	if (root != NULL) {
		m->root = xmalloc(strlen(root) + 1);
		strcpy(m->root, root);
	}
	m->nknown = 1;
	return m;
}

void
cgroup_map_free(struct cgroup_map *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->npaths; i++)
		free(m->paths[i]);
	free(m->paths);
	free(m->root);
	free(m);
}

/* Give index idx the path rel (below the mount), cleaned: directory
 * names are anyone's with the right to make a cgroup, and the path goes
 * to the terminal and to JSON as it is kept.  Once per path. */
static void
cgroup_map_set(struct cgroup_map *m, size_t idx, const char *rel)
{
	size_t n = strlen(rel);

	free(m->paths[idx]);
	m->paths[idx] = xmalloc(n + 1);
	text_clean(m->paths[idx], n + 1, rel, n, 0);
}

/* The index whose id is ino and still lacks a path, or 0. */
static size_t
cgroup_map_wanted(const struct cgroup_map *m, uint64_t ino)
{
	size_t i;

	for (i = 1; i < m->npaths; i++)
		if (m->paths[i] == NULL && cgroup_ids[i] == ino)
			return i;
	return 0;
}

/* Walk the directory fd0 (rel below the mount), depth first.  Returns
 * how many ids got a path; *left counts down those still wanted. */
static size_t
cgroup_map_walk(struct cgroup_map *m, int fd0, char *rel, size_t rlen,
    size_t cap, size_t *left, int depth)
{
	struct dirent *de;
	size_t found = 0, idx;
	DIR *d;

	if ((d = fdopendir(fd0)) == NULL) {
		close(fd0);
		return 0;
	}
	while (*left > 0 && (de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		int fd;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (rlen + 1 + n + 1 > cap)
			continue;
		rel[rlen] = '/';
		memcpy(rel + rlen + 1, de->d_name, n + 1);
		if ((idx = cgroup_map_wanted(m, de->d_ino)) != 0) {
			cgroup_map_set(m, idx, rel);
			found++;
			(*left)--;
		}
		/* Deep trees are rare; a bound keeps a loop from a bind
		 * mount finite. */
		if (depth < 32 && (fd = openat(dirfd(d), de->d_name,
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1)
			found += cgroup_map_walk(m, fd, rel, rlen + 1 + n, cap,
			    left, depth + 1);
		rel[rlen] = '\0';
	}
	closedir(d);
	return found;
}

size_t
cgroup_map_update(struct cgroup_map *m, int64_t now_ms)
{
	char rel[4096];
	struct stat st;
	size_t i, left = 0, found = 0;
	int fd;

	if (m->npaths < cgroup_nids) {
		m->paths = xreallocarray(m->paths, cgroup_nids,
		    sizeof *m->paths);
		memset(m->paths + m->npaths, 0, (cgroup_nids - m->npaths) *
		    sizeof *m->paths);
		m->npaths = cgroup_nids;
	}
	while (m->nknown < m->npaths && m->paths[m->nknown] != NULL)
		m->nknown++;
	if (m->nknown >= m->npaths || m->root == NULL)
		return 0;
	if (m->walked && now_ms - m->walked_ms < CGROUP_RESCAN_MS)
		return 0;
	m->walked = 1;
	m->walked_ms = now_ms;
	if ((fd = open(m->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return 0;
	for (i = m->nknown; i < m->npaths; i++)
		left += m->paths[i] == NULL;
	if (fstat(fd, &st) == 0 && (i = cgroup_map_wanted(m, st.st_ino))) {
		cgroup_map_set(m, i, "/");
		found++;
		left--;
	}
	rel[0] = '\0';
	found += cgroup_map_walk(m, fd, rel, 0, sizeof rel, &left, 0);
	return found;
}

const char *
cgroup_map_path(const struct cgroup_map *m, uint16_t idx)
{
	if (m == NULL || idx == 0 || idx >= m->npaths)
		return NULL;
	return m->paths[idx];
}

/* Whether s starts with 64 hex digits followed by end (a suffix). */
static int
cgroup_hex64(const char *s, const char *end)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return strcmp(s + 64, end) == 0;
}

void
cgroup_short(const char *path, char *buf, size_t len)
{
	const char *last, *dash;
	char tmp[256];
	size_t n;

	if (len == 0)
		return;
	n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	if (n <= 1) {
		snprintf(buf, len, "/");
		return;
	}
	for (last = path + n; last > path && last[-1] != '/'; last--)
		;
	snprintf(tmp, sizeof tmp, "%.*s", (int)(path + n - last), last);
	/* "docker-<id>.scope", "cri-containerd-<id>.scope",
	 * "libpod-<id>.scope": the runtime and the id's head. */
	dash = strrchr(tmp, '-');
	if (dash != NULL && strlen(dash + 1) == 64 + 6 &&
	    cgroup_hex64(dash + 1, ".scope"))
		snprintf(buf, len, "%.*s:%.12s", (int)(dash - tmp), tmp,
		    dash + 1);
	/* cgroupfs driver: "/docker/<id>". */
	else if (strlen(tmp) == 64 && cgroup_hex64(tmp, "") && last - path > 1) {
		const char *up = last - 1;

		while (up > path && up[-1] != '/')
			up--;
		snprintf(buf, len, "%.*s:%.12s", (int)(last - 1 - up), up,
		    tmp);
	} else
		snprintf(buf, len, "%s", tmp);
	text_clean(buf, len, buf, strlen(buf), TEXT_ASCII);
}
