# shellcheck shell=bash disable=SC2154,SC2034
# Helpers shared by bench/scale_results.sh and bench/scale_60m.sh (sourced): measure one command
# from outside, a median, samsort's --stats in one table cell, samsort against samtools.
# The caller sets $here, $work, $raw, $out, $samsort, $memory and $per_thread; versus_samtools
# sets samsort_wall, samtools_wall and copy_wall for it.

# measure NAME COMMAND...: wall, user, sys, peak RSS, peak temp disk (bench/peak_disk.py on
# $work); appends a raw line to $raw, prints "wall rss_mib temp_gb user sys".
measure() {
  local name=$1
  shift
  local time_file=$work/time.txt
  local line
  line=$("$here/peak_disk.py" "$work" -- /usr/bin/time -v -o "$time_file" "$@" | tail -1)
  local rss user sys wall peak
  rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$time_file")
  user=$(awk -F': ' '/User time/ {print $2}' "$time_file")
  sys=$(awk -F': ' '/System time/ {print $2}' "$time_file")
  wall=$(sed -n 's/.*wall_s=\([0-9.]*\).*/\1/p' <<<"$line")
  peak=$(sed -n 's/.*peak_disk_bytes=\([0-9]*\).*/\1/p' <<<"$line")
  echo "$name wall_s=$wall rss_kib=$rss user_s=$user sys_s=$sys peak_disk_bytes=$peak" >>"$raw"
  printf '%s %.1f %.2f %s %s\n' "$wall" "$(bc -l <<<"$rss / 1024")" \
    "$(bc -l <<<"$peak / 1000000000")" "$user" "$sys"
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# stats_line FILE: the --stats figures worth a table cell.
stats_line() {
  python3 - "$1" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
p, w = s["phase_seconds"], s.get("wait_seconds", {})
print(f"runs {s['runs_spilled']}, passes {s['merge_passes']}; read {p['read']:.1f}, "
      f"sort {p['sort']:.1f}, spill {p['spill']:.1f}, merge/write {p['merge_write']:.1f} s; "
      f"reader waited {w.get('reader_for_spill', 0):.2f} s, merge waited "
      f"{w.get('merge_for_run_blocks', 0):.2f} s; temp written "
      f"{s['bytes_spilled'] / 1e9:.2f} GB")
PY
}

# versus_samtools LABEL SET STATS_JSON: samsort, samtools sort and the copy floor on SET at -@2,
# $memory total (samtools -m $per_thread), -l 6, output to /dev/null, once each; appends the
# three table rows to $out and sets samsort_wall, samtools_wall and copy_wall.
versus_samtools() {
  local label=$1 set=$2 stats=$3 w rss tmp user sys
  read -r w rss tmp user sys < <(measure "$label -l6 samsort -@2" "$samsort" sort -@2 \
    --max-memory "$memory" -T "$work" --stats "$stats" -o /dev/null "$set")
  samsort_wall=$w
  echo "| samsort | $w | $rss | $tmp | $user | $sys |" >>"$out"
  read -r w rss tmp user sys < <(measure "$label -l6 samtools -@2" samtools sort -@2 \
    -m "$per_thread" -T "$work/st" -o /dev/null "$set")
  samtools_wall=$w
  echo "| samtools sort | $w | $rss | $tmp | $user | $sys |" >>"$out"
  read -r w rss tmp user sys < <(measure "$label -l6 copy" samtools view -@2 -O bam,level=6 \
    -o /dev/null "$set")
  copy_wall=$w
  echo "| copy floor (samtools view -O bam,level=6) | $w | $rss | $tmp | $user | $sys |" >>"$out"
}
