/* SPDX-License-Identifier: MIT */
/**
 * @file uvrx.h
 * @brief The umbrella header: include this to use uvrx.
 */
#ifndef UVRX_H
#define UVRX_H

#include "uvrx/common.h"
#include "uvrx/error.h"
#include "uvrx/runtime.h"
#include "uvrx/value.h"
#include "uvrx/observable.h"
#include "uvrx/scheduler.h"
#include "uvrx/sources.h"
#include "uvrx/operators.h"
#include "uvrx/combine.h"
#include "uvrx/time.h"
#include "uvrx/backpressure.h"
#include "uvrx/sim.h"
#include "uvrx/io.h"
#include "uvrx/thread.h"
#include "uvrx/recover.h"
#include "uvrx/subject.h"
#include "uvrx/combination.h"
#include "uvrx/higher.h"

#endif /* UVRX_H */
