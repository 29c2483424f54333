/* cgroup: the cgroup v2 a socket was made in.  The kernel reports its id
 * (INET_DIAG_CGROUP_ID, a full socket's only: never a request or
 * timewait socket's); the id is the inode number of the cgroup's
 * directory in the cgroup2 mount, so a walk of that mount turns ids into
 * paths.  A socket keeps the cgroup of the process that made it (an
 * accepted one its listener's), even when that process moves on. */
#ifndef TCPTOP_CGROUP_H
#define TCPTOP_CGROUP_H

#include <stddef.h>
#include <stdint.h>

/* Intern a cgroup id.  Returns an index for conn_sample.cgroup; 0
 * stands for none (id 0), and also for ids past the table's 65535
 * slots.  The table is global, like conn_cc_intern's. */
uint16_t cgroup_intern(uint64_t id);

/* The id behind an index, 0 for 0 or an unknown index. */
uint64_t cgroup_id(uint16_t idx);

/* Indexes handed out so far, plus one (the slot 0). */
size_t cgroup_count(void);

/* Paths of the interned ids, cached.  The mount is walked again only
 * when an id without a path appears, at most every CGROUP_RESCAN_MS. */
#define CGROUP_RESCAN_MS 5000

struct cgroup_map;

/* A map over the cgroup2 mount at root (NULL: the one
 * /proc/self/mountinfo names; none found, every path stays unknown).
 * Never fails (xmalloc). */
struct cgroup_map *cgroup_map_new(const char *root);
void cgroup_map_free(struct cgroup_map *m);

/* Find paths for the ids interned since the last call, walking the
 * mount if one is unknown and the last walk is CGROUP_RESCAN_MS old
 * (now_ms: any monotonic clock).  Returns how many ids got a path. */
size_t cgroup_map_update(struct cgroup_map *m, int64_t now_ms);

/* The path of index idx below the mount ("/" for the root,
 * "/system.slice/nginx.service"), sanitized by text_clean (an escape
 * sequence, a C1 control, a bidirectional override or invalid UTF-8 in
 * a directory's name comes out as '?', a byte for a byte), or NULL when
 * unknown.  NULL m: NULL. */
const char *cgroup_map_path(const struct cgroup_map *m, uint16_t idx);

/* The mount point of cgroup2 from the mountinfo file at mountinfo
 * (/proc/self/mountinfo) into buf.  Returns 0, or -1 when there is
 * none. */
int cgroup_find_mount(const char *mountinfo, char *buf, size_t len);

/* The id of the cgroup at path, as ss's get_cgroup2_id finds it: path as
 * it stands (from the working directory), or else below the cgroup2
 * mount named by /proc/self/mountinfo ("/system.slice" or
 * "system.slice").  Returns 0, or -1 with a short reason in *why. */
int cgroup_path_id(const char *path, uint64_t *id, const char **why);

/* A short, printable name for path: its last component, with a
 * container's 64-hex id cut to 12 ("docker-<64 hex>.scope" and
 * "/docker/<64 hex>" are "docker:<12 hex>"), "/" for the root.  Bytes
 * that are not printable ASCII become '?'.  Pure. */
void cgroup_short(const char *path, char *buf, size_t len);

#endif
