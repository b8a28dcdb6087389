/*
 * maps.h: /proc/PID/maps, one struct vma per line (proc(5), "maps").
 *
 *   address           perms offset  dev   inode   pathname
 *   00400000-00452000 r-xp 00000000 08:02 173521  /usr/bin/dbus-daemon
 */
#ifndef TRUEMEM_MAPS_H
#define TRUEMEM_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mapping.h"

/*
 * Parses the text of a maps file (len bytes, need not be NUL-terminated)
 * and appends one vma per well-formed line to l. Returns 0, or -EINVAL
 * when a line is malformed (l then holds the lines before it).
 */
int maps_parse(const char *text, size_t len, struct vma_list *l);

#endif
