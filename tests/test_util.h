/* tests/test_util.h: what several cmocka test files share.  Include after
 * cmocka.h.  Tests run from the repository root. */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* One EVE line (with its '\n') must be valid JSON and pass
 * output/eve.schema.json (tests/schema_check.py). */
static inline void test_schema_ok(const char *line)
{
    char path[] = "/tmp/netscope_test_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    assert_non_null(fp);
    fputs(line, fp);
    fclose(fp);
    char cmd[256];
    snprintf(cmd, sizeof(cmd),
             "python3 tests/schema_check.py %s >/dev/null && python3 -m json.tool %s >/dev/null",
             path, path);
    int rc = system(cmd);
    unlink(path);
    assert_int_equal(rc, 0);
}

#endif
