/* SPDX-License-Identifier: MIT */
/*
 * A program outside the uvrx tree, built by check_install.sh against an
 * installed uvrx (through pkg-config and through find_package). It proves
 * that the installed headers compile under strict C11 and that the
 * library links and loads.
 */
#include <uvrx.h>

#include <stdio.h>

int
main(void)
{
    printf("live objects: %lld\n", (long long)rx_live_objects());
    return 0;
}
