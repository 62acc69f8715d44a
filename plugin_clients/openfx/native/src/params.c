/* Parameter definitions and reading them into checked settings. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "params.h"

static const char *const scale_options[] = {"Auto", "2", "3", "4", NULL};
static const char *const mode_options[] = {"Restore at host size", "Upscale", NULL};
static const char *const key_options[] = {"None", "Folder of stills", "Server's provider", NULL};
static const char *const failure_options[] = {"Pass through in viewer, fail in final render",
                                              "Always fail", "Always pass through", NULL};

const SvParamSpec sv_param_specs[] = {
    {SV_PARAM_SCALE, SV_PARAM_CHOICE, "Source scale",
     "How much the host enlarged the source (restore), or the upscale factor (upscale). Auto: "
     "the project size over the source clip's size, where the host reports them.",
     scale_options, 3, 0, 0, NULL, 0},
    {SV_PARAM_MODE, SV_PARAM_CHOICE, "Mode",
     "Restore: reduce the frame by the source scale and restore it at the host's size. "
     "Upscale: enlarge the frame by the source scale (hosts with multi-resolution only).",
     mode_options, 0, 0, 0, NULL, 0},
    {SV_PARAM_ENGINE, SV_PARAM_STRING, "Engine", "Engine name on the server (sparkvsr info)",
     NULL, 0, 0, 0, "flow", 0},
    {SV_PARAM_SERVER, SV_PARAM_STRING, "Server",
     "The SparkVSR gateway on this machine (sparkvsr serve), HOST:PORT", NULL, 0, 0, 0,
     "127.0.0.1:50052", 0},
    {SV_PARAM_KEYS, SV_PARAM_CHOICE, "Keyframes",
     "None; stills named <anything>_<frame>.png in a folder; or restored by the server's "
     "provider at each window's first frame",
     key_options, 0, 0, 0, NULL, 0},
    {SV_PARAM_KEY_FOLDER, SV_PARAM_STRING, "Keyframe folder",
     "Folder of high-resolution stills named <anything>_<frame>.<png|tif|exr|jpg>", NULL, 0, 0,
     0, "", SV_PARAM_DIRECTORY},
    {SV_PARAM_PROVIDER, SV_PARAM_STRING, "Provider",
     "The server's keyframe provider: local, fal or api", NULL, 0, 0, 0, "local", 0},
    {SV_PARAM_WINDOW, SV_PARAM_INT, "Window",
     "Frames sent to the engine together; each frame's result depends on its window", NULL,
     16, 1, 1024, NULL, 0},
    {SV_PARAM_TIMEOUT, SV_PARAM_INT, "Timeout (s)",
     "Longest wait for the server before the render gives up", NULL, 300, 1, 3600, NULL, 0},
    {SV_PARAM_ON_FAILURE, SV_PARAM_CHOICE, "On failure",
     "What a render that cannot run does (no server, a timeout, a bad parameter): in the viewer "
     "the frame passes through with the reason shown; a final (background) render fails, so "
     "that no unprocessed frame is written",
     failure_options, SV_FAIL_IN_FINAL, 0, 0, NULL, 0},
    {SV_PARAM_REFRESH, SV_PARAM_BUTTON, "Refresh",
     "Runs the windows again: after a keyframe still or the source changed where the effect "
     "and the host cannot see it (a file edited in place, another frame of the window)",
     NULL, 0, 0, 0, NULL, 0},
    /* Refresh counts its presses here: a changed value makes the host drop its cached frames,
     * and it goes into the server's cache key. */
    {SV_PARAM_REFRESH_COUNT, SV_PARAM_INT, "Refresh count", "Presses of Refresh", NULL, 0, 0,
     1 << 30, NULL, SV_PARAM_SECRET},
    {NULL, SV_PARAM_INT, NULL, NULL, NULL, 0, 0, 0, NULL, 0},
};

/* The factor between the project size and the source clip's width, where it is 2, 3 or 4:
 * hosts that give an effect source-resolution frames in a larger project report both. */
int sv_auto_scale(const SvInstance *inst, OfxTime time) {
    OfxPropertySetHandle props;
    double project[2] = {0, 0};
    OfxRectD rod;
    if (!SV_OK(sv_host.effects->getPropertySet(inst->effect, &props)) ||
        !SV_OK(sv_host.props->propGetDoubleN(props, kOfxImageEffectPropProjectSize, 2, project)) ||
        !SV_OK(sv_host.effects->clipGetRegionOfDefinition(inst->source, time, &rod)))
        return 0;
    double width = rod.x2 - rod.x1;
    for (int scale = 2; scale <= 4; scale++)
        if (width > 0 && fabs(project[0] - scale * width) < 0.5) return scale;
    return 0;
}

#define WHY(...) (snprintf(why, why_len, __VA_ARGS__), 0)

static int get_int(OfxParamHandle param, OfxTime time, int *value) {
    return SV_OK(sv_host.params->paramGetValueAtTime(param, time, value));
}

static int get_text(OfxParamHandle param, OfxTime time, char *out, size_t len) {
    char *value = NULL;
    if (!SV_OK(sv_host.params->paramGetValueAtTime(param, time, &value)) || value == NULL)
        return 0;
    snprintf(out, len, "%s", value);
    return 1;
}

static int is_name(const char *text) {
    if (*text == '\0') return 0;
    for (; *text; text++)
        if (!isalnum((unsigned char)*text) && *text != '_' && *text != '-') return 0;
    return 1;
}

/* HOST:PORT on this machine: RunWindow hands frames over as files, so the server must share
 * this machine's file system. */
static int parse_server(const char *text, SvSettings *out, char *why, size_t why_len) {
    const char *colon = strrchr(text, ':');
    char *end = NULL;
    long port = colon ? strtol(colon + 1, &end, 10) : 0;
    size_t host_len = colon ? (size_t)(colon - text) : 0;
    if (!colon || end == colon + 1 || *end != '\0' || port < 1 || port > 65535 || host_len == 0 ||
        host_len >= sizeof out->host)
        return WHY("Server '%s' is not HOST:PORT (for example 127.0.0.1:50052)", text);
    memcpy(out->host, text, host_len);
    out->host[host_len] = '\0';
    if (strcmp(out->host, "localhost") == 0) snprintf(out->host, sizeof out->host, "127.0.0.1");
    if (strncmp(out->host, "127.", 4) != 0)
        return WHY("Server '%s' must be on this machine (127.x.x.x or localhost): frames are "
                   "handed over as files",
                   text);
    out->port = (int)port;
    return 1;
}

static int read_keys(const SvInstance *inst, OfxTime time, SvSettings *out, char *why,
                     size_t why_len) {
    int keys = 0;
    if (!get_int(inst->p_keys, time, &keys) || keys < 0 || keys > 2)
        return WHY("Keyframes: the host returned no valid choice");
    out->key_source = (SvKeySource)keys;
    if (!get_text(inst->p_key_folder, time, out->key_folder, sizeof out->key_folder) ||
        !get_text(inst->p_provider, time, out->provider, sizeof out->provider))
        return WHY("Keyframe folder/Provider: the host returned no value");
    struct stat info;
    if (out->key_source == SV_KEYS_FOLDER &&
        (stat(out->key_folder, &info) != 0 || !S_ISDIR(info.st_mode)))
        return WHY("Keyframe folder '%s' is not a folder", out->key_folder);
    if (out->key_source == SV_KEYS_PROVIDER && !is_name(out->provider))
        return WHY("Provider '%s' is not a provider name (local, fal or api)", out->provider);
    return 1;
}

static int read_scale(const SvInstance *inst, OfxTime time, SvSettings *out, char *why,
                      size_t why_len) {
    int choice = 0, mode = 0;
    if (!get_int(inst->p_scale, time, &choice) || choice < 0 || choice > 3)
        return WHY("Source scale: the host returned no valid choice");
    if (!get_int(inst->p_mode, time, &mode) || mode < 0 || mode > 1)
        return WHY("Mode: the host returned no valid choice");
    out->mode = (SvMode)mode;
    out->scale = choice == 0 ? sv_auto_scale(inst, time) : choice + 1;
    if (out->scale == 0)
        return WHY("Source scale Auto: the host reports no project size that is 2, 3 or 4 times "
                   "the source clip's; choose 2, 3 or 4");
    return 1;
}

int sv_read_settings(const SvInstance *inst, OfxTime time, SvSettings *out, char *why,
                     size_t why_len) {
    char server[SV_TEXT_LEN];
    memset(out, 0, sizeof *out);
    if (!read_scale(inst, time, out, why, why_len)) return 0;
    if (!get_text(inst->p_engine, time, out->engine, sizeof out->engine) || !is_name(out->engine))
        return WHY("Engine '%s' is not an engine name (letters, digits, - and _)", out->engine);
    if (!get_text(inst->p_server, time, server, sizeof server)) return WHY("Server: no value");
    if (!parse_server(server, out, why, why_len)) return 0;
    if (!read_keys(inst, time, out, why, why_len)) return 0;
    if (!get_int(inst->p_window, time, &out->window) || out->window < 1 || out->window > 1024)
        return WHY("Window %d is outside 1..1024 frames", out->window);
    if (!get_int(inst->p_timeout, time, &out->timeout_s) || out->timeout_s < 1 ||
        out->timeout_s > 3600)
        return WHY("Timeout %d s is outside 1..3600", out->timeout_s);
    if (!get_int(inst->p_refresh_count, time, &out->refresh) || out->refresh < 0)
        return WHY("Refresh count: the host returned no valid value");
    return 1;
}

SvOnFailure sv_read_on_failure(const SvInstance *inst, OfxTime time) {
    int choice = SV_FAIL_IN_FINAL;
    if (!get_int(inst->p_on_failure, time, &choice) || choice < 0 || choice > 2)
        return SV_FAIL_IN_FINAL; /* unreadable: the default, which never writes a bad frame */
    return (SvOnFailure)choice;
}
