// The socket poller's class for the module's exports (see poller_addon.cc).
#pragma once
#include <napi.h>

Napi::Function InitPoller(Napi::Env env);
