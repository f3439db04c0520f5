/* SPDX-License-Identifier: MIT */
/*
 * The operator rows of test_misbehaving.c: ROW(name, expression), where
 * the expression builds the operator over rogue() (the case's rogue
 * source) and may use g_vs (the case's virtual scheduler); ROW_DROPS for
 * an operator that drops items beyond demand by contract. Included twice,
 * with ROW and ROW_DROPS defined to make the builders and then the table.
 * No include guard on purpose.
 */

/* transform */
ROW(map, rx_map(rogue(), times10, NULL))
ROW(map_batch, rx_map_batch(rogue(), times10_kernel, NULL))
ROW(scan, rx_scan(rogue(), sum, NULL))
ROW(scan_seed, rx_scan_seed(rogue(), rx_int(100), sum, NULL))
ROW(materialize_dematerialize, rx_dematerialize(rx_materialize(rogue())))
ROW(materialize_count, rx_count(rx_materialize(rogue())))
ROW(map_filter_fused, rx_filter(rx_map(rogue(), times10, NULL), keep_odd, NULL))

/* filter */
ROW(filter, rx_filter(rogue(), keep_odd, NULL))
ROW(filter_batch, rx_filter_batch(rogue(), odd_kernel, NULL))
ROW(take_2, rx_take(rogue(), 2))
ROW(take_10, rx_take(rogue(), 10))
ROW(take_while, rx_take_while(rogue(), below3, NULL))
ROW(take_last, rx_take_last(rogue(), 2))
ROW(skip, rx_skip(rogue(), 1))
ROW(skip_while, rx_skip_while(rogue(), below3, NULL))
ROW(skip_last, rx_skip_last(rogue(), 1))
ROW(distinct, rx_distinct(rogue()))
ROW(distinct_until_changed, rx_distinct_until_changed(rogue()))
ROW(first, rx_first(rogue()))
ROW(last, rx_last(rogue()))
ROW(element_at, rx_element_at(rogue(), 1))
ROW(ignore_elements, rx_ignore_elements(rogue()))

/* aggregate */
ROW(reduce, rx_reduce(rogue(), sum, NULL))
ROW(reduce_seed, rx_reduce_seed(rogue(), rx_int(100), sum, NULL))
ROW(reduce_batch, rx_reduce_batch(rogue(), rx_int(0), sum_kernel, NULL))
ROW(count, rx_count(rogue()))
ROW(to_array, rx_to_array(rogue()))
ROW(all, rx_all(rogue(), keep_odd, NULL))
ROW(any, rx_any(rogue(), below3, NULL))
ROW(contains, rx_contains(rogue(), rx_int(2)))
ROW(default_if_empty, rx_default_if_empty(rogue(), rx_int(-1)))

/* utility */
ROW(start_with_values, start_with_zero())
ROW(tap, tap_all())
ROW(finally, rx_finally(rogue(), finally_fn, NULL))
ROW(repeat, rx_repeat(rogue(), 2))
ROW(concat_first, rx_concat(rogue(), rx_of_ints(9)))
ROW(concat_second, rx_concat(rx_of_ints(9), rogue()))
ROW(concat_array, concat_array_two_rogues())
ROW(attach, rx_attach(rogue(), NULL, drop_nothing))
ROW(defer, rx_defer(defer_rogue, NULL))

/* combine */
ROW(merge, rx_merge(rogue(), rx_of_ints(9)))
ROW(merge_never, rx_merge(rogue(), rx_never()))
ROW(flat_map, rx_flat_map(rogue(), just_it, NULL))
ROW(flat_map_inner, rx_flat_map(rx_of_ints(1), inner_rogue, NULL))
ROW(flat_map_opts_serial_inners, flat_map_one_at_a_time())
ROW(merge_array_serial, merge_array_serial())
ROW(merge_second, rx_merge(rx_of_ints(9), rogue()))
ROW(concat_map, rx_concat_map(rogue(), just_it, NULL))
ROW(concat_map_inner, rx_concat_map(rx_of_ints(1), inner_rogue, NULL))
ROW(switch_on_next, rx_switch_on_next(rx_map(rogue(), to_inner, NULL)))
ROW(switch_map, rx_switch_map(rogue(), just_it, NULL))
ROW(switch_map_inner, rx_switch_map(rx_of_ints(1), inner_rogue, NULL))
ROW(exhaust_map, rx_exhaust_map(rogue(), just_it, NULL))
ROW(concat_map_eager, rx_concat_map_eager(rogue(), just_it, NULL))
ROW(group_by, rx_flat_map(rx_group_by(rogue(), parity, NULL), itself, NULL))
ROW(window_boundary,
    rx_flat_map(rx_window_boundary(rogue(), rx_never()), itself, NULL))
ROW(buffer_boundary, rx_buffer_boundary(rogue(), rx_never()))
ROW(expand, rx_expand(rogue(), expand_none, NULL))
ROW(zip, rx_zip(rogue(), rx_range(1, 10), pair, NULL))
ROW(zip_second, rx_zip(rx_range(1, 10), rogue(), pair, NULL))
ROW(zip_array, zip_array_three())
ROW(combine_latest, rx_combine_latest(rogue(), rx_of_ints(0), pair, NULL))
ROW(combine_latest_array, combine_latest_array_two())
ROW(with_latest_from, rx_with_latest_from(rogue(), rx_of_ints(0), pair, NULL))
ROW(race, rx_race(rogue(), rx_never()))
ROW(race_array, race_array_two())
ROW(take_until, rx_take_until(rogue(), rx_never()))
ROW(skip_until, rx_skip_until(rogue(), rx_of_ints(0)))
ROW(start_with, rx_start_with(rogue(), rx_of_ints(0)))

/* error handling */
ROW(catch, rx_catch(rogue(), recover_with_minus1, NULL))
ROW(catch_to_never, rx_catch(rogue(), recover_with_never, NULL))
ROW(on_error_return, rx_on_error_return(rogue(), rx_int(-1)))
ROW(on_error_return_fn, rx_on_error_return_fn(rogue(), error_code_value, NULL))
ROW(retry, rx_retry(rogue(), 2))
ROW(retry_delayed, retry_delayed())
ROW(retry_when, rx_retry_when(rogue(), retry_twice, NULL))
ROW(using, rx_using(acquire, use_rogue, drop_resource, NULL))
ROW(merge_delay_error, rx_merge_delay_error(rogue(), rx_of_ints(9)))
ROW(concat_map_delay_error, rx_concat_map_delay_error(rogue(), just_it, NULL))

/* multicast */
ROW(publish_ref_count, rx_ref_count(rx_publish(rogue())))
ROW(share, rx_share(rogue()))
ROW(replay_ref_count, rx_ref_count(rx_replay(rogue(), 2, 0, g_vs)))
ROW(auto_connect, rx_auto_connect(rx_publish(rogue()), 1))

/* thread hops on the virtual scheduler */
ROW(observe_on, rx_observe_on(rogue(), g_vs, 0))
ROW(observe_on_prefetch_1, rx_observe_on(rogue(), g_vs, 1))
ROW(subscribe_on, rx_subscribe_on(rogue(), g_vs))

/* time, on the virtual scheduler */
ROW(delay, rx_delay(rogue(), 10, g_vs))
ROW(delay_subscription, rx_delay_subscription(rogue(), 10, g_vs))
ROW(debounce, rx_debounce(rogue(), 5, g_vs))
ROW(throttle_first, rx_throttle_first(rogue(), 5, g_vs))
ROW(throttle_last, rx_throttle_last(rogue(), 5, g_vs))
ROW(audit, rx_audit(rogue(), 5, g_vs))
ROW(timeout, timeout_50())
ROW(buffer_n, rx_buffer_n(rogue(), 2, 2))
ROW(buffer_time, rx_buffer_time(rogue(), 5, g_vs))
ROW(window_n, rx_flat_map(rx_window_n(rogue(), 2, 2), itself, NULL))
ROW(window_time, rx_flat_map(rx_window_time(rogue(), 5, g_vs), itself, NULL))
ROW(timestamp, rx_timestamp(rogue(), g_vs))
ROW(time_interval, rx_time_interval(rogue(), g_vs))

/* backpressure */
ROW(on_backpressure_buffer,
    rx_on_backpressure_buffer(rogue(), 16, RX_OVERFLOW_ERROR))
ROW_DROPS(on_backpressure_drop, rx_on_backpressure_drop(rogue()))
ROW(on_backpressure_latest, rx_on_backpressure_latest(rogue()))
