# Turns the raw samples into the results JSON.
#
# Input (jq -R -n): samples.tsv, one line per timed call:
#   comparison <TAB> tool <TAB> round <TAB> microseconds, or "-" if the call failed
# $meta: {timestamp, rounds, anchor, host, notes, tools: {name: {...}},
#         comparisons: [{name, description, ratio_ref, tools: [names]}]}
#
# Ratios are taken round by round: tool's time in round r divided by the
# anchor's time in the same round (of the comparison named by ratio_ref, which
# is the comparison itself except for the floor). Their median and quartiles
# are what the table shows, so drift that hits a whole round cancels out.

# Quantile with linear interpolation between closest ranks (R type 7).
def quantile($p):
  if length == 0 then null
  else sort as $s | ($s | length) as $n | (($n - 1) * $p) as $h | ($h | floor) as $i
    | $s[$i] + ($h - $i) * ($s[[$i + 1, $n - 1] | min] - $s[$i])
  end;
def ms3: if . == null then null else (. * 1000 | round) / 1000 end;

[inputs | select(length > 0) | split("\t")
  | {c: .[0], t: .[1], r: (.[2] | tonumber), us: (if .[3] == "-" then null else .[3] | tonumber end)}
] as $rows
| $meta
| .comparisons |= map(
    . as $c
    | ($rows | map(select(.c == $c.ratio_ref and .t == $meta.anchor and .us != null)
               | {key: (.r | tostring), value: .us}) | from_entries) as $ref
    | {name, description,
       ratio_to: (if $meta.anchor == null then "nothing"
                  elif $c.ratio_ref == $c.name then $meta.anchor
                  else "\($meta.anchor) \($c.ratio_ref)" end),
       results: ($c.tools | map(
         . as $t
         | ($rows | map(select(.c == $c.name and .t == $t)) | sort_by(.r)) as $mine
         | ($mine | map(select(.us != null) | .us / 1000)) as $ms
         | ($mine | map(select(.us != null and $ref[.r | tostring] != null)
                        | .us / $ref[.r | tostring])) as $ratios
         | {tool: $t,
            status: ($meta.tools[$t].status // "ok"),
            is_anchor: ($t == $meta.anchor and $c.ratio_ref == $c.name),
            rounds: ($mine | length),
            ok: ($ms | length),
            failed: (($mine | length) - ($ms | length)),
            median_ms: ($ms | quantile(0.5) | ms3),
            min_ms: ($ms | min | ms3),
            max_ms: ($ms | max | ms3),
            q1_ms: ($ms | quantile(0.25) | ms3),
            q3_ms: ($ms | quantile(0.75) | ms3),
            ratio: {median: ($ratios | quantile(0.5) | ms3),
                    q1: ($ratios | quantile(0.25) | ms3),
                    q3: ($ratios | quantile(0.75) | ms3)},
            samples_ms: ($mine | map(if .us == null then null else .us / 1000 | ms3 end))}))})
