/*
 * cmd_version.c: `truemem version [--verbose]`: the version, and with
 * --verbose what the running kernel offers truemem (kfeatures.c), one
 * `key: value` line each, for bug reports.
 */
#include <stdio.h>

#include "cli.h"
#include "kfeatures.h"

int cmd_version(const struct cli_opts *o)
{
	struct kfeature f[32];
	size_t n;
	int rc;

	if ((rc = cli_no_args(o)) != 0)
		return rc;
	printf("truemem %s\n", TRUEMEM_VERSION);
	if (!o->verbose)
		return 0;
	n = kfeatures_collect(f, ARRAY_SIZE(f));
	for (size_t i = 0; i < n; i++)
		printf("%s: %s\n", f[i].key, f[i].value);
	return 0;
}
