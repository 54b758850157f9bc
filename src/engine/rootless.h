/* The rootless engine: an unprivileged user's store and state, and the user
 * namespace every engine command of theirs runs in.
 *
 * A user namespace of the user's own (0 = their own ID, 1… = their ranges
 * from /etc/subuid and /etc/subgid, through newuidmap/newgidmap; only their
 * own ID when they have none) with a mount namespace is made once and kept
 * by a small holder process ("silo-userns", its PID in
 * RUNTIME_ROOT/.userns/pid). Each command joins both before it touches the
 * store: there it is root, so layers unpack with their owners mapped,
 * overlayfs mounts work (kernel >= 5.11), and every container's monitor,
 * mount and process live in that one namespace, where exec, stop and rm of
 * any later command can reach them. The holder leaves once nothing else is
 * in the namespace. */
#ifndef SILO_ENGINE_ROOTLESS_H
#define SILO_ENGINE_ROOTLESS_H

#include <jansson.h>

#include "util/err.h"

/* Whether the engine runs rootless: as anyone but the host's root (also as
 * root of the user's namespace, after engine_rootless_enter). */
int engine_rootless(void);

/* For an unprivileged user: fixes the store root ($SILO_ROOT, unless
 * store_root is given: $XDG_DATA_HOME/silo, else ~/.local/share/silo) and
 * the runtime root ($SILO_RUNTIME_ROOT: $XDG_RUNTIME_DIR/silo, else
 * /tmp/silo-UID) in the environment, so re-executed copies keep them, then
 * joins the user's namespace, making it first if there is none. Nothing for
 * the host's root or for a process already inside. */
int engine_rootless_enter(const char *store_root, struct silo_err *err);

/* A container's config.json as the rootless engine can run it: a limit
 * asked for is refused (naming its flags) since no cgroup is delegated,
 * the device rules and the cgroupfs mount go, devpts loses gid=5 when
 * group 5 is not mapped. */
int engine_rootless_adjust_config(json_t *config, struct silo_err *err);

/* slirp4netns and pasta make their tap device through /dev/net/tun, with
 * the user's own permissions: says what to change when they do not allow
 * it (mode: the --network value). */
int engine_rootless_check_tun(const char *mode, struct silo_err *err);

/* The default network of a rootless container: pasta (faster to set up)
 * when it is installed and the host has a default route for it to copy,
 * else slirp4netns. */
const char *engine_rootless_default_network(void);

/* The message for a limit asked of a rootless container. */
#define ENGINE_ROOTLESS_NO_CGROUP                                                              \
	"rootless containers can only be limited in a cgroup v2 subtree delegated to the user "    \
	"(a directory under /sys/fs/cgroup owned by their UID, with the controllers enabled in "   \
	"cgroup.subtree_control); none is delegated here, so run without limits or as root"

#endif
