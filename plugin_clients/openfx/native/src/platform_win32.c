/* platform.h for Windows: Winsock, the CRT's file descriptors, and file mappings. */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include <fcntl.h>
#include <io.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"

double sv_now_s(void) {
    LARGE_INTEGER count, frequency;
    QueryPerformanceCounter(&count);
    QueryPerformanceFrequency(&frequency);
    return (double)count.QuadPart / (double)frequency.QuadPart;
}

void sv_sleep_ms(int ms) { Sleep((DWORD)ms); }

/* Winsock needs WSAStartup once per process before any socket call. */
static INIT_ONCE winsock_once = INIT_ONCE_STATIC_INIT;
static int winsock_error = 0;

static BOOL CALLBACK start_winsock(PINIT_ONCE once, PVOID parameter, PVOID *context) {
    WSADATA data;
    (void)once, (void)parameter, (void)context;
    winsock_error = WSAStartup(MAKEWORD(2, 2), &data);
    return TRUE;
}

SvNetResult sv_socket_connect(const char *host, int port, SvSocket *out, int *error) {
    InitOnceExecuteOnce(&winsock_once, start_winsock, NULL, NULL);
    if (winsock_error != 0) return *error = winsock_error, SV_NET_ERROR;
    struct addrinfo hints, *found = NULL;
    char service[16];
    memset(&hints, 0, sizeof hints);
    snprintf(service, sizeof service, "%d", port);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    if (getaddrinfo(host, service, &hints, &found) != 0) return *error = WSAEINVAL, SV_NET_ERROR;
    SOCKET s = socket(found->ai_family, found->ai_socktype, 0);
    if (s == INVALID_SOCKET) return *error = WSAGetLastError(), freeaddrinfo(found), SV_NET_ERROR;
    u_long non_blocking = 1;
    ioctlsocket(s, FIONBIO, &non_blocking);
    int rc = connect(s, found->ai_addr, (int)found->ai_addrlen);
    *error = rc == 0 ? 0 : WSAGetLastError();
    freeaddrinfo(found);
    if (rc != 0 && *error != WSAEWOULDBLOCK) return closesocket(s), SV_NET_ERROR;
    *out = (SvSocket)s;
    return rc == 0 ? SV_NET_OK : SV_NET_WOULD_BLOCK;
}

int sv_socket_connect_error(SvSocket s) {
    int error = 0, len = sizeof error;
    if (getsockopt((SOCKET)s, SOL_SOCKET, SO_ERROR, (char *)&error, &len) != 0)
        return WSAGetLastError();
    return error;
}

int sv_socket_wait(SvSocket s, int for_write, int timeout_ms, int *error) {
    fd_set ready, failed;
    FD_ZERO(&ready);
    FD_ZERO(&failed);
    FD_SET((SOCKET)s, &ready);
    FD_SET((SOCKET)s, &failed); /* Winsock reports a failed connect here, not as writable */
    struct timeval wait = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    int n = select(0, for_write ? NULL : &ready, for_write ? &ready : NULL, &failed, &wait);
    if (n == SOCKET_ERROR) return *error = WSAGetLastError(), -1;
    return n > 0;
}

SvNetResult sv_socket_send(SvSocket s, const char *data, size_t len, size_t *sent, int *error) {
    int n = send((SOCKET)s, data, len > INT_MAX ? INT_MAX : (int)len, 0);
    *sent = n > 0 ? (size_t)n : 0;
    if (n != SOCKET_ERROR) return SV_NET_OK;
    *error = WSAGetLastError();
    return *error == WSAEWOULDBLOCK ? SV_NET_WOULD_BLOCK : SV_NET_ERROR;
}

SvNetResult sv_socket_recv(SvSocket s, char *data, size_t len, size_t *got, int *error) {
    int n = recv((SOCKET)s, data, len > INT_MAX ? INT_MAX : (int)len, 0);
    *got = n > 0 ? (size_t)n : 0;
    if (n > 0) return SV_NET_OK;
    if (n == 0) return SV_NET_CLOSED;
    *error = WSAGetLastError();
    return *error == WSAEWOULDBLOCK ? SV_NET_WOULD_BLOCK : SV_NET_ERROR;
}

void sv_socket_close(SvSocket s) {
    if (s != SV_NO_SOCKET) closesocket((SOCKET)s);
}

int sv_net_refused(int error) { return error == WSAECONNREFUSED; }

void sv_net_describe(int error, char *out, size_t len) {
    DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                             (DWORD)error, 0, out, (DWORD)len, NULL);
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r' || out[n - 1] == '.')) out[--n] = 0;
    if (n == 0) snprintf(out, len, "Winsock error %d", error);
}

#define HANDOVER_PREFIX "svx" /* GetTempFileName keeps 3 characters: svxXXXX.tmp */

/* In the user's temporary folder (Windows has no memory-backed one); readable by whoever the
 * folder's permissions allow. */
int sv_handover_create(char *path, size_t len) {
    char dir[MAX_PATH + 1], name[MAX_PATH + 1];
    DWORD n = GetTempPathA(sizeof dir, dir);
    if (n == 0 || n > MAX_PATH || GetTempFileNameA(dir, HANDOVER_PREFIX, 0, name) == 0) return -1;
    int written = snprintf(path, len, "%s", name);
    if (written < 0 || (size_t)written >= len) return DeleteFileA(name), -1;
    int fd = _open(name, _O_WRONLY | _O_BINARY | _O_TRUNC);
    if (fd < 0) DeleteFileA(name);
    return fd;
}

/* The temporary folder is the user's own, so the name and age say enough. */
void sv_handover_sweep(int older_than_s) {
    char dir[MAX_PATH + 1], path[2 * MAX_PATH + 2];
    DWORD n = GetTempPathA(sizeof dir, dir); /* ends with a backslash */
    if (n == 0 || n > MAX_PATH) return;
    snprintf(path, sizeof path, "%s" HANDOVER_PREFIX "*.tmp", dir);
    WIN32_FIND_DATAA entry;
    HANDLE find = FindFirstFileA(path, &entry);
    if (find == INVALID_HANDLE_VALUE) return;
    FILETIME now_ft;
    GetSystemTimeAsFileTime(&now_ft);
    ULARGE_INTEGER now = {{now_ft.dwLowDateTime, now_ft.dwHighDateTime}};
    do {
        ULARGE_INTEGER written = {{entry.ftLastWriteTime.dwLowDateTime,
                                   entry.ftLastWriteTime.dwHighDateTime}};
        int plain = !(entry.dwFileAttributes &
                      (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT));
        /* FILETIME counts 100 ns steps. */
        if (plain && now.QuadPart > written.QuadPart &&
            (now.QuadPart - written.QuadPart) / 10000000u > (ULONGLONG)older_than_s &&
            snprintf(path, sizeof path, "%s%s", dir, entry.cFileName) < (int)sizeof path)
            DeleteFileA(path); /* fails while a server still maps it: left for a later sweep */
    } while (FindNextFileA(find, &entry));
    FindClose(find);
}

int sv_file_write(int fd, const void *data, size_t len) {
    const char *at = data;
    while (len > 0) {
        unsigned int piece = len > (1u << 30) ? (1u << 30) : (unsigned int)len;
        int n = _write(fd, at, piece);
        if (n <= 0) return 0;
        at += n, len -= (size_t)n;
    }
    return 1;
}

void sv_file_close(int fd) { _close(fd); }

void sv_file_remove(const char *path) { DeleteFileA(path); }

void *sv_map_file(const char *path, size_t offset, size_t length, SvMapping *out, char *why,
                  size_t why_len) {
    memset(out, 0, sizeof *out);
    /* Shared for delete too: the server may drop the file while this view reads it. */
    HANDLE file = CreateFileA(path, GENERIC_READ,
                              FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                              OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    if (file == INVALID_HANDLE_VALUE)
        return snprintf(why, why_len, "cannot open %s (error %lu)", path, GetLastError()), NULL;
    LARGE_INTEGER size;
    SYSTEM_INFO info;
    GetSystemInfo(&info);
    size_t start = offset - offset % info.dwAllocationGranularity; /* views start there */
    int whole = GetFileSizeEx(file, &size) && (size_t)size.QuadPart >= offset + length;
    HANDLE mapping = whole ? CreateFileMappingA(file, NULL, PAGE_READONLY, 0, 0, NULL) : NULL;
    void *base = mapping ? MapViewOfFile(mapping, FILE_MAP_READ, (DWORD)((uint64_t)start >> 32),
                                         (DWORD)(start & 0xffffffffu), length + (offset - start))
                         : NULL;
    if (mapping) CloseHandle(mapping); /* the view keeps the mapping, and the file */
    CloseHandle(file);
    if (base == NULL) return snprintf(why, why_len, "%s is shorter than expected", path), NULL;
    out->base = base;
    out->length = length + (offset - start);
    return (char *)base + (offset - start);
}

void sv_unmap_file(SvMapping *mapping) {
    if (mapping->base != NULL) UnmapViewOfFile(mapping->base);
    mapping->base = NULL;
}

struct SvDir {
    HANDLE find;
    WIN32_FIND_DATAA entry;
    int pending; /* FindFirstFile already read the first entry */
};

SvDir *sv_dir_open(const char *path) {
    char pattern[MAX_PATH + 4];
    int n = snprintf(pattern, sizeof pattern, "%s\\*", path);
    SvDir *dir = n > 0 && (size_t)n < sizeof pattern ? malloc(sizeof *dir) : NULL;
    if (dir == NULL) return NULL;
    dir->find = FindFirstFileA(pattern, &dir->entry);
    if (dir->find == INVALID_HANDLE_VALUE) return free(dir), NULL;
    dir->pending = 1;
    return dir;
}

const char *sv_dir_next(SvDir *dir) {
    if (!dir->pending && !FindNextFileA(dir->find, &dir->entry)) return NULL;
    dir->pending = 0;
    return dir->entry.cFileName;
}

void sv_dir_close(SvDir *dir) {
    if (dir == NULL) return;
    FindClose(dir->find);
    free(dir);
}
