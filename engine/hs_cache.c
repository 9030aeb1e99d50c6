/* engine/hs_cache.c: the on-disk cache of compiled Hyperscan databases
 * (see hs_cache.h). */
#include "engine/hs_cache.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HC_MAGIC      "NSPS\001\000\000\000"
#define HC_MAGIC_LEN  8
#define HC_MAX        (1u << 30)        /* a cached database above 1 GiB is refused */
#define HC_PATH_MAX   (HS_CACHE_DIR_MAX + 128)

struct hs_cache_hash {
    EVP_MD_CTX *md;
    bool ok;
};

struct hs_cache_hash *hs_cache_hash_begin(void)
{
    struct hs_cache_hash *h = calloc(1, sizeof(*h));
    if (!h)
        return NULL;
    h->md = EVP_MD_CTX_new();
    h->ok = h->md && EVP_DigestInit_ex(h->md, EVP_sha256(), NULL) == 1;
    const char *v = hs_version();
    hs_cache_hash_add(h, v, strlen(v) + 1);
    return h;
}

void hs_cache_hash_add(struct hs_cache_hash *h, const void *p, size_t n)
{
    if (h)
        h->ok = h->ok && EVP_DigestUpdate(h->md, p, n) == 1;
}

bool hs_cache_hash_end(struct hs_cache_hash *h, uint8_t key[HS_CACHE_KEY_LEN])
{
    if (!h)
        return false;
    unsigned int n = 0;
    bool ok = h->ok && EVP_DigestFinal_ex(h->md, key, &n) == 1 && n == HS_CACHE_KEY_LEN;
    EVP_MD_CTX_free(h->md);
    free(h);
    return ok;
}

static bool hc_path(char *out, size_t cap, const char *dir, const char *prefix,
                    const uint8_t key[HS_CACHE_KEY_LEN])
{
    if (!dir || strlen(dir) > HS_CACHE_DIR_MAX || strlen(prefix) > 32)
        return false;
    char hex[2 * HS_CACHE_KEY_LEN + 1];
    for (size_t i = 0; i < HS_CACHE_KEY_LEN; i++)
        snprintf(hex + 2 * i, 3, "%02x", key[i]);
    snprintf(out, cap, "%s/%s-%s.hsdb", dir, prefix, hex);
    return true;
}

hs_database_t *hs_cache_load(const char *dir, const char *prefix,
                             const uint8_t key[HS_CACHE_KEY_LEN], bool *refused)
{
    char path[HC_PATH_MAX];
    if (refused)
        *refused = false;
    if (!hc_path(path, sizeof(path), dir, prefix, key))
        return NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    hs_database_t *db = NULL;
    uint8_t hdr[HC_MAGIC_LEN + HS_CACHE_KEY_LEN];
    struct stat st;
    if (fstat(fileno(fp), &st) != 0 || st.st_size < (off_t)sizeof(hdr) ||
        st.st_size > (off_t)HC_MAX + (off_t)sizeof(hdr) ||
        fread(hdr, 1, sizeof(hdr), fp) != sizeof(hdr) ||
        memcmp(hdr, HC_MAGIC, HC_MAGIC_LEN) != 0 ||
        memcmp(hdr + HC_MAGIC_LEN, key, HS_CACHE_KEY_LEN) != 0)
        goto out;
    (void)futimens(fileno(fp), NULL);        /* used now: see hs_cache_prune */
    size_t n = (size_t)st.st_size - sizeof(hdr);
    if (n == 0) {
        if (refused)
            *refused = true;
        goto out;
    }
    char *buf = malloc(n);
    if (buf && fread(buf, 1, n, fp) == n && hs_deserialize_database(buf, n, &db) != HS_SUCCESS)
        db = NULL;
    free(buf);
out:
    fclose(fp);
    return db;
}

void hs_cache_store(const char *dir, const char *prefix, const uint8_t key[HS_CACHE_KEY_LEN],
                    const hs_database_t *db)
{
    char path[HC_PATH_MAX], tmp[HC_PATH_MAX + 32];
    char *ser = NULL;
    size_t n = 0;
    if (!hc_path(path, sizeof(path), dir, prefix, key) ||
        (db && hs_serialize_database(db, &ser, &n) != HS_SUCCESS))
        return;
    snprintf(tmp, sizeof(tmp), "%s.%ld.%ld.tmp", path, (long)getpid(), (long)gettid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
        FILE *fp = fdopen(fd, "wb");
        bool ok = fp && fwrite(HC_MAGIC, 1, HC_MAGIC_LEN, fp) == HC_MAGIC_LEN &&
                  fwrite(key, 1, HS_CACHE_KEY_LEN, fp) == HS_CACHE_KEY_LEN &&
                  (n == 0 || fwrite(ser, 1, n, fp) == n);
        if (fp)
            ok = fclose(fp) == 0 && ok;
        else
            close(fd);
        if (!ok || rename(tmp, path) != 0)
            unlink(tmp);
    }
    free(ser);
}

/* NAME-<64 hex>.hsdb, or that followed by .<pid>.<tid>.tmp */
static bool hc_ours(const char *name)
{
    const char *dash = strrchr(name, '-');
    if (!dash || dash == name)
        return false;
    const char *h = dash + 1;
    for (int i = 0; i < 2 * HS_CACHE_KEY_LEN; i++)
        if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f')))
            return false;
    return strncmp(h + 2 * HS_CACHE_KEY_LEN, ".hsdb", 5) == 0;
}

unsigned hs_cache_prune(const char *dir, uint64_t max_age)
{
    DIR *d = dir ? opendir(dir) : NULL;
    if (!d)
        return 0;
    unsigned n = 0;
    time_t now = time(NULL);
    for (struct dirent *de; (de = readdir(d));) {
        struct stat st;
        if (!hc_ours(de->d_name) || fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(st.st_mode) || st.st_mtime > now ||
            (uint64_t)(now - st.st_mtime) <= max_age)
            continue;
        n += unlinkat(dirfd(d), de->d_name, 0) == 0;
    }
    closedir(d);
    return n;
}
