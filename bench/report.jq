# Turns the raw samples into the results JSON.
#
# Input (jq -R -n): samples.tsv, one line per measured call:
#   comparison <TAB> tool <TAB> round <TAB> value, or "-" if the call failed
# The value is in microseconds for the timed comparisons, KiB for memory and
# a count for instructions; each comparison's `scale` turns it into its
# `unit` (default: 0.001, µs to ms).
# $meta: {timestamp, rounds, anchor, host, notes, tools: {name: {...}},
#         comparisons: [{name, description, ratio_ref, tools: [names],
#                        anchor?, unit?, scale?, method?, ratio_of_medians?, spread?,
#                        not_measured?: {tool: reason}}]}
#
# Ratios are taken round by round: tool's value in round r divided by the
# anchor's value (the comparison's own `anchor`, else $meta.anchor) in the
# same round (of the comparison named by ratio_ref, which
# is the comparison itself except for the floor). Their median and quartiles
# are what the table shows, so drift that hits a whole round cancels out.
# A comparison with ratio_of_medians (instructions, which do not drift) gives
# the ratio of the two medians instead, with no quartiles.
#
# Fields are named after the unit: median_ms, median_kib, median_instructions.
#
# A comparison with also_ratio_to (engine-run, also_ratio_to silo-runtime)
# gives each result a second ratio, also_ratio {to, median, q1, q3}: the
# tool's value over that tool's in the same round, taken like the first.
#
# A comparison with added_to (engine-run-bridge, added_to engine-run) also
# gives, per tool, what it adds to that other comparison: in every round
# where both calls worked, this value minus the tool's value there, and of
# those differences added_<unit> {median, q1, q3, min, max, ok, ratio} (ratio:
# the median difference over the anchor's) and samples_added_<unit> (one per
# round, in order; null where either call failed).

# Quantile with linear interpolation between closest ranks (R type 7).
def quantile($p):
  if length == 0 then null
  else sort as $s | ($s | length) as $n | (($n - 1) * $p) as $h | ($h | floor) as $i
    | $s[$i] + ($h - $i) * ($s[[$i + 1, $n - 1] | min] - $s[$i])
  end;
def ms3: if . == null then null else (. * 1000 | round) / 1000 end;
def suffix: if . == "ms" then "ms" elif . == "KiB" then "kib" else "instructions" end;
# by_round($rows; $c; $t): {round: value} of tool $t's successful calls in comparison $c.
def by_round($rows; $c; $t):
  $rows | map(select(.c == $c and .t == $t and .v != null) | {key: (.r | tostring), value: .v}) | from_entries;
# added($rows; $c; $base; $t; $scale): [{r, d}] per round of $c, d = value - value in $base (scaled; null if either failed).
def added($rows; $c; $base; $t; $scale):
  by_round($rows; $base; $t) as $b
  | $rows | map(select(.c == $c and .t == $t)) | sort_by(.r)
  | map({r, d: (if .v == null or $b[.r | tostring] == null then null else (.v - $b[.r | tostring]) * $scale end)});

[inputs | select(length > 0) | split("\t")
  | {c: .[0], t: .[1], r: (.[2] | tonumber), v: (if .[3] == "-" then null else .[3] | tonumber end)}
] as $rows
| $meta
| .comparisons |= map(
    . as $c
    | ($c.unit // "ms") as $unit
    | ($c.scale // 0.001) as $scale
    | ($unit | suffix) as $f
    | ($c.anchor // $meta.anchor) as $anchor
    | ($rows | map(select(.c == $c.ratio_ref and .t == $anchor and .v != null)
               | {key: (.r | tostring), value: .v}) | from_entries) as $ref
    | ($ref | [.[]] | quantile(0.5)) as $ref_median
    | (if $c.added_to and $anchor != null then
         added($rows; $c.name; $c.added_to; $anchor; $scale) | map(select(.d != null) | .d) | quantile(0.5)
       else null end) as $ref_added
    | (if $c.also_ratio_to then by_round($rows; $c.name; $c.also_ratio_to) else {} end) as $also
    | {name, description, unit: $unit}
      + (if $c.method then {method: $c.method} else {} end)
      + (if $c.ratio_of_medians then {ratio_of_medians: true} else {} end)
      + (if $c.added_to then {added_to: $c.added_to} else {} end)
      + (if $c.also_ratio_to then {also_ratio_to: $c.also_ratio_to} else {} end)
      + {ratio_to: (if $anchor == null then "nothing"
                    elif $c.ratio_ref == $c.name then $anchor
                    else "\($anchor) \($c.ratio_ref)" end),
       results: ($c.tools | map(
         . as $t
         | ($rows | map(select(.c == $c.name and .t == $t)) | sort_by(.r)) as $mine
         | ($mine | map(select(.v != null) | .v * $scale)) as $vals
         | ($mine | map(select(.v != null and $ref[.r | tostring] != null)
                        | .v / $ref[.r | tostring])) as $ratios
         | ($vals | quantile(0.5)) as $median
         | {tool: $t,
            status: (if $c.not_measured[$t] then "failed" else ($meta.tools[$t].status // "ok") end),
            note: ($c.not_measured[$t] // null),
            is_anchor: ($t == $anchor and $c.ratio_ref == $c.name),
            rounds: ($mine | length),
            ok: ($vals | length),
            failed: (($mine | length) - ($vals | length)),
            ("median_" + $f): ($median | ms3),
            ("min_" + $f): ($vals | min | ms3),
            ("max_" + $f): ($vals | max | ms3),
            ("q1_" + $f): ($vals | quantile(0.25) | ms3),
            ("q3_" + $f): ($vals | quantile(0.75) | ms3),
            ratio: (if $c.ratio_of_medians then
                      {median: (if $median == null or $ref_median == null then null
                                else $median / ($ref_median * $scale) | ms3 end),
                       q1: null, q3: null}
                    else
                      {median: ($ratios | quantile(0.5) | ms3),
                       q1: ($ratios | quantile(0.25) | ms3),
                       q3: ($ratios | quantile(0.75) | ms3)}
                    end)}
           + (if $c.spread then
                {spread_pct: (if $median == null or $median == 0 then null
                              else (($vals | max) - ($vals | min)) / $median * 100 | ms3 end)}
              else {} end)
           + (if $c.also_ratio_to then
                ($mine | map(select(.v != null and $also[.r | tostring] != null)
                             | .v / $also[.r | tostring])) as $rs
                | {also_ratio: {to: $c.also_ratio_to, median: ($rs | quantile(0.5) | ms3),
                                q1: ($rs | quantile(0.25) | ms3), q3: ($rs | quantile(0.75) | ms3)}}
              else {} end)
           + {("samples_" + $f): ($mine | map(if .v == null then null else .v * $scale | ms3 end))}
           + (if $c.added_to then
                added($rows; $c.name; $c.added_to; $t; $scale) as $add
                | ($add | map(select(.d != null) | .d)) as $ds
                | ($ds | quantile(0.5)) as $am
                | {("added_" + $f): {median: ($am | ms3), q1: ($ds | quantile(0.25) | ms3),
                                     q3: ($ds | quantile(0.75) | ms3), min: ($ds | min | ms3),
                                     max: ($ds | max | ms3), ok: ($ds | length),
                                     ratio: (if $am == null or $ref_added == null or $ref_added == 0 then null
                                             else $am / $ref_added | ms3 end)},
                   ("samples_added_" + $f): ($add | map(.d | ms3))}
              else {} end)))})
