/* tests/test_json.c: the fixed-buffer JSON writer (output/json.h).
 *
 * Exact output for nesting and separators, every escape class, the UTF-8
 * rules of RFC 3629 (valid strings kept; in an invalid one every byte
 * >= 0x80 as \xNN, as Suricata writes it),
 * numbers at their limits, and the overflow promise: for every buffer size
 * a record is either complete and identical or json_finish returns 0, and
 * nothing is written past the capacity.  A randomized round trip through
 * python3's json module checks that any byte string comes out as valid
 * JSON from which the bytes can be read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "output/json.h"

#define BUF_SIZE 4096

static char buf[BUF_SIZE];

/* One string value as a whole record: {"s":<escaped>}\n, NUL-terminated. */
static const char *esc(const void *s, size_t n)
{
    struct json_buf jb;
    json_init(&jb, buf, sizeof(buf) - 1);
    json_obj_open(&jb, NULL);
    json_strn(&jb, "s", s, n);
    json_obj_close(&jb);
    size_t len = json_finish(&jb);
    assert_true(len > 0);
    buf[len] = '\0';
    return buf;
}

#define ESC_EQ(lit, expect_json) \
    assert_string_equal(esc(lit, sizeof(lit) - 1), "{\"s\":\"" expect_json "\"}\n")

static void nesting_and_commas(void **state)
{
    (void)state;
    struct json_buf jb;
    json_init(&jb, buf, sizeof(buf));
    json_obj_open(&jb, NULL);
    json_u64(&jb, "a", 1);
    json_arr_open(&jb, "b");
    json_u64(&jb, NULL, 1);
    json_i64(&jb, NULL, -2);
    json_obj_open(&jb, NULL);
    json_bool(&jb, "c", true);
    json_obj_close(&jb);
    json_arr_open(&jb, NULL);
    json_arr_close(&jb);
    json_str(&jb, NULL, "x");
    json_arr_close(&jb);
    json_obj_open(&jb, "d");
    json_obj_close(&jb);
    json_obj_open(&jb, "e");
    json_obj_open(&jb, "f");
    json_null(&jb, "g");
    json_obj_close(&jb);
    json_bool(&jb, "h", false);
    json_obj_close(&jb);
    json_raw(&jb, "i", "1.5", 3);
    json_str(&jb, "j", NULL);
    json_obj_open_n(&jb, "klmn", 1);
    json_obj_close(&jb);
    json_obj_close(&jb);
    assert_true(json_ok(&jb));
    size_t n = json_finish(&jb);
    const char *want = "{\"a\":1,\"b\":[1,-2,{\"c\":true},[],\"x\"],\"d\":{},"
                       "\"e\":{\"f\":{\"g\":null},\"h\":false},\"i\":1.5,\"j\":null,\"k\":{}}\n";
    assert_int_equal(n, strlen(want));
    assert_memory_equal(buf, want, n);
}

static void escapes_ascii(void **state)
{
    (void)state;
    ESC_EQ("plain text / 123 ~", "plain text / 123 ~");
    ESC_EQ("", "");
    ESC_EQ("\"", "\\\"");
    ESC_EQ("\\", "\\\\");
    ESC_EQ("\n\r\t\b\f", "\\n\\r\\t\\b\\f");
    ESC_EQ("a\x01z", "a\\u0001z");
    ESC_EQ("\x1f", "\\u001f");
    ESC_EQ("\x7f", "\\u007f");
    ESC_EQ("\x00", "\\u0000");                  /* json_strn keeps NULs */
    ESC_EQ("say \"hi\"\\n", "say \\\"hi\\\"\\\\n");

    /* every C0 control: the five short forms, the rest \u00XX */
    for (unsigned c = 0; c < 0x20; c++) {
        char in = (char)c, want[16];
        switch (c) {
        case '\b': snprintf(want, sizeof(want), "\\b"); break;
        case '\t': snprintf(want, sizeof(want), "\\t"); break;
        case '\n': snprintf(want, sizeof(want), "\\n"); break;
        case '\f': snprintf(want, sizeof(want), "\\f"); break;
        case '\r': snprintf(want, sizeof(want), "\\r"); break;
        default: snprintf(want, sizeof(want), "\\u%04x", c); break;
        }
        char expect[64];
        snprintf(expect, sizeof(expect), "{\"s\":\"%s\"}\n", want);
        assert_string_equal(esc(&in, 1), expect);
    }
    /* printable ASCII other than '"' and '\\' is copied */
    for (unsigned c = 0x20; c < 0x7f; c++) {
        if (c == '"' || c == '\\')
            continue;
        char in = (char)c, expect[16];
        snprintf(expect, sizeof(expect), "{\"s\":\"%c\"}\n", c);
        assert_string_equal(esc(&in, 1), expect);
    }
}

static void utf8_valid_kept(void **state)
{
    (void)state;
    ESC_EQ("caf\xc3\xa9", "caf\xc3\xa9");                    /* U+00E9 */
    ESC_EQ("\xc2\x80", "\xc2\x80");                          /* U+0080, lowest 2-byte */
    ESC_EQ("\xdf\xbf", "\xdf\xbf");                          /* U+07FF */
    ESC_EQ("\xe0\xa0\x80", "\xe0\xa0\x80");                  /* U+0800, lowest 3-byte */
    ESC_EQ("\xe2\x82\xac", "\xe2\x82\xac");                  /* euro sign */
    ESC_EQ("\xed\x9f\xbf", "\xed\x9f\xbf");                  /* U+D7FF, below surrogates */
    ESC_EQ("\xee\x80\x80", "\xee\x80\x80");                  /* U+E000, above surrogates */
    ESC_EQ("\xef\xbf\xbf", "\xef\xbf\xbf");                  /* U+FFFF */
    ESC_EQ("\xf0\x90\x80\x80", "\xf0\x90\x80\x80");          /* U+10000, lowest 4-byte */
    ESC_EQ("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");          /* emoji U+1F600 */
    ESC_EQ("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");          /* U+10FFFF, the last */
    ESC_EQ("a\xf0\x9f\x98\x80\"b", "a\xf0\x9f\x98\x80\\\"b");
}

static void utf8_invalid_as_hex(void **state)
{
    (void)state;
    ESC_EQ("\x80", "\\\\x80");                               /* lone continuation */
    ESC_EQ("a\xbf" "b", "a\\\\xbfb");
    ESC_EQ("\xc0\xaf", "\\\\xc0\\\\xaf");                    /* overlong '/' */
    ESC_EQ("\xc1\xbf", "\\\\xc1\\\\xbf");                    /* overlong */
    ESC_EQ("\xe0\x9f\xbf", "\\\\xe0\\\\x9f\\\\xbf");         /* overlong 3-byte */
    ESC_EQ("\xf0\x8f\xbf\xbf", "\\\\xf0\\\\x8f\\\\xbf\\\\xbf"); /* overlong 4-byte */
    ESC_EQ("\xed\xa0\x80", "\\\\xed\\\\xa0\\\\x80");         /* surrogate D800 */
    ESC_EQ("\xed\xbf\xbf", "\\\\xed\\\\xbf\\\\xbf");         /* surrogate DFFF */
    ESC_EQ("\xf4\x90\x80\x80", "\\\\xf4\\\\x90\\\\x80\\\\x80"); /* U+110000 */
    ESC_EQ("\xf5\x80\x80\x80", "\\\\xf5\\\\x80\\\\x80\\\\x80");
    ESC_EQ("\xfe\xff", "\\\\xfe\\\\xff");
    ESC_EQ("\xe2\x82", "\\\\xe2\\\\x82");                    /* truncated at the end */
    ESC_EQ("\xc3", "\\\\xc3");
    ESC_EQ("\xf0\x9f\x98", "\\\\xf0\\\\x9f\\\\x98");
    ESC_EQ("x\xe2\x82y", "x\\\\xe2\\\\x82y");                /* truncated in the middle */
    /* invalid anywhere: every byte >= 0x80 of the string as \xNN, the
     * valid sequences too (Suricata's form); ASCII escapes as ever */
    ESC_EQ("\xc3\xc3\xa9", "\\\\xc3\\\\xc3\\\\xa9");
    ESC_EQ("\xf0\x9f\x98\x80\x80", "\\\\xf0\\\\x9f\\\\x98\\\\x80\\\\x80");   /* emoji, stray byte */
    ESC_EQ("caf\xc3\xa9 \xff", "caf\\\\xc3\\\\xa9 \\\\xff");       /* the bad byte last */
    ESC_EQ("\"\n\xa0\\", "\\\"\\n\\\\xa0\\\\");               /* quote, LF, bad, backslash */
}

static void numbers(void **state)
{
    (void)state;
    struct json_buf jb;
    json_init(&jb, buf, sizeof(buf));
    json_obj_open(&jb, NULL);
    json_u64(&jb, "a", 0);
    json_u64(&jb, "b", UINT64_MAX);
    json_i64(&jb, "c", INT64_MIN);
    json_i64(&jb, "d", INT64_MAX);
    json_i64(&jb, "e", -1);
    json_i64(&jb, "f", 0);
    json_obj_close(&jb);
    size_t n = json_finish(&jb);
    const char *want = "{\"a\":0,\"b\":18446744073709551615,\"c\":-9223372036854775808,"
                       "\"d\":9223372036854775807,\"e\":-1,\"f\":0}\n";
    assert_int_equal(n, strlen(want));
    assert_memory_equal(buf, want, n);

    /* every power of ten and its neighbours, and a pseudo-random spread,
     * against printf */
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (unsigned i = 0; i < 20000; i++) {
        uint64_t v;
        if (i < 60) {
            uint64_t p = 1;
            for (unsigned k = 0; k < i / 3; k++)
                p *= 10;
            v = p + (i % 3) - 1;
        } else {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            v = x >> (x % 64);
        }
        char want_u[32], want_i[32];
        snprintf(want_u, sizeof(want_u), "%llu\n", (unsigned long long)v);
        snprintf(want_i, sizeof(want_i), "%lld\n", (long long)(int64_t)v);
        json_init(&jb, buf, sizeof(buf));
        json_u64(&jb, NULL, v);
        n = json_finish(&jb);
        assert_int_equal(n, strlen(want_u));
        assert_memory_equal(buf, want_u, n);
        json_init(&jb, buf, sizeof(buf));
        json_i64(&jb, NULL, (int64_t)v);
        n = json_finish(&jb);
        assert_int_equal(n, strlen(want_i));
        assert_memory_equal(buf, want_i, n);
    }
}

/* A record with a bit of everything, so that every write kind hits the
 * end of the buffer somewhere in the sweep. */
static void build_mixed(struct json_buf *jb)
{
    json_obj_open(jb, NULL);
    json_str(jb, "timestamp", "2026-11-22T14:07:49.835303+0000");
    json_u64(jb, "big", UINT64_MAX);
    json_i64(jb, "neg", INT64_MIN);
    json_arr_open(jb, "arr");
    json_u64(jb, NULL, 6);
    json_str(jb, NULL, "q\"\\\n\x01\x7f");
    json_arr_close(jb);
    static const char bin[] = "ok\xf0\x9f\x98\x80\xe2\x82\xac\xc3\xa9\x80\xed\xa0\x80!";
    json_strn(jb, "bin", (const uint8_t *)bin, sizeof(bin) - 1);
    json_obj_open(jb, "o");
    json_bool(jb, "t", true);
    json_bool(jb, "f", false);
    json_null(jb, "n");
    json_raw(jb, "r", "[1,2]", 5);
    json_obj_close(jb);
    json_obj_close(jb);
}

static void overflow_never_partial(void **state)
{
    (void)state;
    static char full[BUF_SIZE], area[BUF_SIZE + 64];
    struct json_buf jb;
    json_init(&jb, full, sizeof(full));
    build_mixed(&jb);
    size_t want = json_finish(&jb);
    assert_true(want > 100);

    for (size_t cap = 0; cap <= want + 2; cap++) {
        memset(area, 0xa5, sizeof(area));
        json_init(&jb, area, cap);
        build_mixed(&jb);
        size_t n = json_finish(&jb);
        if (cap < want) {
            assert_int_equal(n, 0);
            assert_false(json_ok(&jb));
            assert_null(memchr(area, '\n', cap));
        } else {
            assert_int_equal(n, want);
            assert_memory_equal(area, full, want);
        }
        for (size_t i = cap; i < sizeof(area); i++)
            assert_int_equal((unsigned char)area[i], 0xa5);   /* nothing past cap */
    }

    /* a long string that does not fit leaves the writer stopped */
    static char big[BUF_SIZE * 2];
    memset(big, 'x', sizeof(big));
    json_init(&jb, area, BUF_SIZE);
    json_obj_open(&jb, NULL);
    json_strn(&jb, "s", (const uint8_t *)big, sizeof(big));
    json_obj_close(&jb);
    assert_false(json_ok(&jb));
    json_u64(&jb, "after", 1);                  /* sticky: ignored */
    assert_int_equal(json_finish(&jb), 0);

    /* NULL buffer: nothing fits, nothing crashes */
    json_init(&jb, NULL, 100);
    build_mixed(&jb);
    assert_int_equal(json_finish(&jb), 0);
}

static void depth_errors(void **state)
{
    (void)state;
    struct json_buf jb;

    json_init(&jb, buf, sizeof(buf));           /* nothing written */
    assert_int_equal(json_finish(&jb), 0);

    json_init(&jb, buf, sizeof(buf));           /* left open */
    json_obj_open(&jb, NULL);
    json_arr_open(&jb, "a");
    json_arr_close(&jb);
    assert_true(json_ok(&jb));
    assert_int_equal(json_finish(&jb), 0);

    json_init(&jb, buf, sizeof(buf));           /* one close too many */
    json_obj_open(&jb, NULL);
    json_obj_close(&jb);
    json_obj_close(&jb);
    assert_false(json_ok(&jb));
    assert_int_equal(json_finish(&jb), 0);

    json_init(&jb, buf, sizeof(buf));           /* exactly JSON_MAX_DEPTH levels */
    for (unsigned i = 0; i < JSON_MAX_DEPTH; i++)
        json_arr_open(&jb, NULL);
    for (unsigned i = 0; i < JSON_MAX_DEPTH; i++)
        json_arr_close(&jb);
    size_t n = json_finish(&jb);
    assert_int_equal(n, 2 * JSON_MAX_DEPTH + 1);

    json_init(&jb, buf, sizeof(buf));           /* one more is refused */
    for (unsigned i = 0; i <= JSON_MAX_DEPTH; i++)
        json_arr_open(&jb, NULL);
    assert_false(json_ok(&jb));
    for (unsigned i = 0; i <= JSON_MAX_DEPTH; i++)
        json_arr_close(&jb);
    assert_int_equal(json_finish(&jb), 0);
}

/* Random byte strings (biased towards UTF-8 lead and continuation bytes and
 * controls) through the writer; python3 must parse every line, and undoing
 * the \xNN convention must give the input back.  '\\' is left out of the
 * input because a literal "\x41" text reads back as an escaped byte. */
static void roundtrip_python(void **state)
{
    (void)state;
    char path[] = "/tmp/test_json_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    assert_non_null(fp);

    static const uint8_t pool[] = {
        'a', 'Z', ' ', '"', '/', '\n', '\t', 0x00, 0x01, 0x1f, 0x7f, 0x80, 0x8f, 0x90,
        0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4,
        0xf5, 0xff,
    };
    uint64_t x = 12345;
    char hex[2 * 64 + 1];
    static char line[BUF_SIZE];
    for (unsigned r = 0; r < 3000; r++) {
        uint8_t in[64];
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        size_t n = (size_t)(x >> 58);           /* 0..63 */
        for (size_t i = 0; i < n; i++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            in[i] = (x >> 40) & 1 ? pool[(x >> 20) % sizeof(pool)] : (uint8_t)(x >> 33);
            if (in[i] == '\\')
                in[i] = 'b';
            hex[2 * i] = "0123456789abcdef"[in[i] >> 4];
            hex[2 * i + 1] = "0123456789abcdef"[in[i] & 15];
        }
        hex[2 * n] = '\0';
        struct json_buf jb;
        json_init(&jb, line, sizeof(line));
        json_obj_open(&jb, NULL);
        json_str(&jb, "hex", hex);
        json_strn(&jb, "s", in, n);
        json_obj_close(&jb);
        size_t len = json_finish(&jb);
        assert_true(len > 0);
        assert_int_equal(fwrite(line, 1, len, fp), len);
    }
    assert_int_equal(fclose(fp), 0);

    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "python3 -c '\n"
             "import json, re, sys\n"
             "for no, raw in enumerate(open(sys.argv[1], \"rb\"), 1):\n"
             "    rec = json.loads(raw.decode(\"utf-8\"))\n"
             "    back = re.sub(r\"\\\\x([0-9a-f]{2})\", lambda m: \"\\udc00\" + m.group(1),\n"
             "                  rec[\"s\"])\n"
             "    out = b\"\"\n"
             "    for part in re.split(\"(\\udc00[0-9a-f]{2})\", back):\n"
             "        out += bytes.fromhex(part[1:]) if part.startswith(\"\\udc00\") else part.encode()\n"
             "    assert out == bytes.fromhex(rec[\"hex\"]), (no, out, rec)\n"
             "' %s",
             path);
    int rc = system(cmd);
    unlink(path);
    assert_int_equal(rc, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nesting_and_commas),
        cmocka_unit_test(escapes_ascii),
        cmocka_unit_test(utf8_valid_kept),
        cmocka_unit_test(utf8_invalid_as_hex),
        cmocka_unit_test(numbers),
        cmocka_unit_test(overflow_never_partial),
        cmocka_unit_test(depth_errors),
        cmocka_unit_test(roundtrip_python),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
