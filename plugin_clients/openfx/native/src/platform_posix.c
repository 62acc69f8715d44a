/* platform.h for Linux and macOS: BSD sockets, mkstemp and mmap. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "platform.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* macOS: SO_NOSIGPIPE is set on the socket instead */
#endif
#ifdef MAP_POPULATE
#define SV_MAP_FLAGS (MAP_SHARED | MAP_POPULATE) /* all pages at once: one fault, not one each */
#else
#define SV_MAP_FLAGS MAP_SHARED
#endif

double sv_now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void sv_sleep_ms(int ms) {
    struct timespec slice = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&slice, NULL);
}

SvNetResult sv_socket_connect(const char *host, int port, SvSocket *out, int *error) {
    struct addrinfo hints, *found = NULL;
    char service[16];
    memset(&hints, 0, sizeof hints);
    snprintf(service, sizeof service, "%d", port);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    if (getaddrinfo(host, service, &hints, &found) != 0) return *error = EINVAL, SV_NET_ERROR;
    int fd = socket(found->ai_family, found->ai_socktype, 0);
    if (fd < 0) return *error = errno, freeaddrinfo(found), SV_NET_ERROR;
#ifdef SO_NOSIGPIPE
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    int rc = connect(fd, found->ai_addr, found->ai_addrlen);
    *error = rc == 0 ? 0 : errno;
    freeaddrinfo(found);
    if (rc != 0 && *error != EINPROGRESS) return close(fd), SV_NET_ERROR;
    *out = fd;
    return rc == 0 ? SV_NET_OK : SV_NET_WOULD_BLOCK;
}

int sv_socket_connect_error(SvSocket s) {
    int error = 0;
    socklen_t len = sizeof error;
    if (getsockopt((int)s, SOL_SOCKET, SO_ERROR, &error, &len) != 0) return errno;
    return error;
}

int sv_socket_wait(SvSocket s, int for_write, int timeout_ms, int *error) {
    struct pollfd entry = {(int)s, for_write ? POLLOUT : POLLIN, 0};
    int ready = poll(&entry, 1, timeout_ms);
    if (ready < 0 && errno != EINTR) return *error = errno, -1;
    return ready > 0; /* POLLERR and POLLHUP count as ready: the next call says what happened */
}

SvNetResult sv_socket_send(SvSocket s, const char *data, size_t len, size_t *sent, int *error) {
    ssize_t n = send((int)s, data, len, MSG_NOSIGNAL);
    *sent = n > 0 ? (size_t)n : 0;
    if (n >= 0) return SV_NET_OK;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return SV_NET_WOULD_BLOCK;
    return *error = errno, SV_NET_ERROR;
}

SvNetResult sv_socket_recv(SvSocket s, char *data, size_t len, size_t *got, int *error) {
    ssize_t n = recv((int)s, data, len, 0);
    *got = n > 0 ? (size_t)n : 0;
    if (n > 0) return SV_NET_OK;
    if (n == 0) return SV_NET_CLOSED;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return SV_NET_WOULD_BLOCK;
    return *error = errno, SV_NET_ERROR;
}

void sv_socket_close(SvSocket s) {
    if (s != SV_NO_SOCKET) close((int)s);
}

int sv_net_refused(int error) { return error == ECONNREFUSED; }

void sv_net_describe(int error, char *out, size_t len) { snprintf(out, len, "%s", strerror(error)); }

#define HANDOVER_PREFIX "sparkvsr-ofx-"

/* /dev/shm where there is one (memory, no disk), else $TMPDIR, else /tmp. */
static const char *handover_dir(void) {
    const char *tmp = getenv("TMPDIR");
    return access("/dev/shm", W_OK) == 0 ? "/dev/shm" : tmp && *tmp ? tmp : "/tmp";
}

int sv_handover_create(char *path, size_t len) {
    int n = snprintf(path, len, "%s/" HANDOVER_PREFIX "XXXXXX", handover_dir());
    if (n < 0 || (size_t)n >= len) return -1;
    int fd = mkstemp(path);
    /* mkstemp makes it 0600; a server running as another user must read it. */
    if (fd >= 0 && fchmod(fd, 0644) != 0) return close(fd), unlink(path), -1;
    return fd;
}

void sv_handover_sweep(int older_than_s) {
    DIR *dir = opendir(handover_dir());
    if (dir == NULL) return;
    time_t now = time(NULL);
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        struct stat st;
        if (strncmp(entry->d_name, HANDOVER_PREFIX, strlen(HANDOVER_PREFIX)) != 0 ||
            fstatat(dirfd(dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        /* Only plain files this user made (the effective user: mkstemp's owner). */
        if (S_ISREG(st.st_mode) && st.st_uid == geteuid() && now - st.st_mtime > older_than_s)
            unlinkat(dirfd(dir), entry->d_name, 0);
    }
    closedir(dir);
}

int sv_file_write(int fd, const void *data, size_t len) {
    const char *at = data;
    while (len > 0) {
        ssize_t n = write(fd, at, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return 0;
        at += n, len -= (size_t)n;
    }
    return 1;
}

void sv_file_close(int fd) { close(fd); }

void sv_file_remove(const char *path) { unlink(path); }

void *sv_map_file(const char *path, size_t offset, size_t length, SvMapping *out, char *why,
                  size_t why_len) {
    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return snprintf(why, why_len, "cannot open %s (%s)", path, strerror(errno)), NULL;
    struct stat st;
    size_t start = offset - offset % (size_t)sysconf(_SC_PAGESIZE); /* views start on a page */
    int whole = fstat(fd, &st) == 0 && (size_t)st.st_size >= offset + length;
    void *base = whole ? mmap(NULL, length + (offset - start), PROT_READ, SV_MAP_FLAGS, fd,
                              (off_t)start)
                       : MAP_FAILED;
    close(fd); /* the mapping keeps the file, even once its writer removes it */
    if (base == MAP_FAILED)
        return snprintf(why, why_len, "%s is shorter than expected", path), NULL;
    out->base = base;
    out->length = length + (offset - start);
    return (char *)base + (offset - start);
}

void sv_unmap_file(SvMapping *mapping) {
    if (mapping->base != NULL) munmap(mapping->base, mapping->length);
    mapping->base = NULL;
}

struct SvDir {
    DIR *dir;
};

SvDir *sv_dir_open(const char *path) {
    DIR *dir = opendir(path);
    SvDir *out = dir ? malloc(sizeof *out) : NULL;
    if (out == NULL) {
        if (dir) closedir(dir);
        return NULL;
    }
    out->dir = dir;
    return out;
}

const char *sv_dir_next(SvDir *dir) {
    struct dirent *entry = readdir(dir->dir);
    return entry ? entry->d_name : NULL;
}

void sv_dir_close(SvDir *dir) {
    if (dir == NULL) return;
    closedir(dir->dir);
    free(dir);
}
