//! GPU specs on the command line: `4xH100`, `8x h200`, `2xA100-40GB`, `H100` (one), `auto`.
//!
//! Names resolve through the GPU catalog's ids and aliases, case- and punctuation-insensitive.
//! `auto` asks `nvidia-smi` (the binary named by `PICK_NVIDIA_SMI`, for tests, else `nvidia-smi`),
//! and gives up after `NVIDIA_SMI_TIMEOUT`.

use crate::catalog::{Catalog, Gpu, Text};

/// The largest GPU count accepted: beyond any single deployment this tool sizes.
pub const MAX_GPUS: u64 = 4096;

/// A resolved spec: `count` GPUs of one catalog type.
#[derive(Debug, Clone)]
pub struct GpuSet<'c> {
    pub gpu: &'c Gpu,
    pub count: u64,
}

fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// GPUs in nodes. A node is the scale-up domain (an 8-GPU NVLink board, an NVL72 rack, a PCIe
/// server): tensor parallelism stays inside one; a replica larger than a node takes whole nodes and
/// reaches across them with pipeline stages (vLLM's guidance: TP inside a node, PP across nodes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Topology {
    pub count: u64,
    pub per_node: u64,
    /// Whether a network between nodes is known (a replica may span nodes).
    pub scale_out: bool,
}

impl Topology {
    /// `count` GPUs of `gpu` in nodes of `per_node` (default: the GPU table's `gpus_per_node`).
    pub fn new(gpu: &Gpu, count: u64, per_node: Option<u64>) -> Topology {
        Topology {
            count,
            per_node: per_node
                .filter(|n| *n > 0)
                .unwrap_or_else(|| gpu.gpus_per_node()),
            scale_out: gpu.scaleout_gbs > 0.0,
        }
    }

    /// Nodes the GPUs fill (the last one may be partial).
    pub fn nodes(&self) -> u64 {
        self.count.div_ceil(self.per_node.max(1))
    }

    /// The GPUs of the largest node here (fewer than a node when fewer GPUs are given).
    pub fn node_size(&self) -> u64 {
        self.per_node.min(self.count)
    }

    /// Replicas of `size` GPUs these GPUs hold: packed inside nodes when a replica fits one node,
    /// else in whole nodes (0 when none fits).
    pub fn replicas(&self, size: u64) -> u64 {
        let (size, per) = (size.max(1), self.per_node.max(1));
        if size <= per {
            (self.count / per) * (per / size) + (self.count % per) / size
        } else if size % per == 0 && self.scale_out {
            (self.count / per) / (size / per)
        } else {
            0
        }
    }

    /// Whether engines run a `tp` x `pp` replica here: TP inside one node, and a replica beyond one
    /// node in whole nodes, its TP groups tiling each node.
    pub fn allows(&self, tp: u64, pp: u64) -> bool {
        let size = tp.max(1) * pp.max(1);
        tp <= self.per_node
            && self.replicas(size) >= 1
            && (size <= self.per_node || self.per_node.is_multiple_of(tp))
    }

    /// GPU counts a plan can ask for, ascending: any count inside one node, then whole nodes.
    /// The iterator knows its length (`size_hint` is exact) and steps to the n-th count without
    /// walking to it (`nth`), so a search can probe it without collecting the counts.
    pub fn counts_from(&self, from: u64) -> impl Iterator<Item = u64> + Clone {
        let per = self.per_node.max(1);
        let from = from.max(1);
        let inside = from..=per.min(MAX_GPUS);
        // Whole nodes past the first, from the first multiple of the node size at or after
        // `from` (stepped to, not searched for among the 4,096 counts: the what-would-fit search
        // asked for these a few hundred times a query).
        let first_node = if self.scale_out {
            from.max(per + 1).div_ceil(per) * per
        } else {
            u64::MAX // none
        };
        inside.chain((first_node..=MAX_GPUS).step_by(usize::try_from(per).unwrap_or(usize::MAX)))
    }
}

/// Finds a GPU by id or alias, ignoring case, spaces, dashes and a leading vendor name.
pub fn find_gpu<'c>(catalog: &'c Catalog, name: &str) -> Option<&'c Gpu> {
    if let Some(g) = catalog.gpu(name) {
        return Some(g);
    }
    let mut key = squash(name);
    for vendor in [
        "nvidia", "amd", "instinct", "intel", "google", "apple", "geforce",
    ] {
        if let Some(rest) = key.strip_prefix(vendor) {
            key = rest.to_string();
        }
    }
    catalog
        .gpus
        .iter()
        .find(|g| squash(&g.id) == key || g.aliases.iter().any(|a| squash(a) == key))
}

/// Parses `N x NAME` (also `N*NAME`, `N×NAME`, `NAME`).
pub fn parse_spec<'c>(catalog: &'c Catalog, spec: &str) -> Result<GpuSet<'c>, String> {
    let s = spec.trim();
    if s.is_empty() {
        return Err("empty --gpus spec: write e.g. 4xH100, 8xH200 or H100".into());
    }
    if s.contains([',', '+', ';']) {
        return Err(format!(
            "`{spec}` mixes GPU types or groups; pick sizes one GPU type at a time (e.g. --gpus 4xH100)"
        ));
    }
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    let (count, name) = if digits.is_empty() {
        (1, s)
    } else {
        let rest = s[digits.len()..].trim_start();
        let rest = rest.strip_prefix(['x', 'X', '*', '×']).ok_or_else(|| {
            format!("`{spec}`: after the count comes `x` and a GPU name, e.g. 4xH100")
        })?;
        let count: u64 = digits
            .parse()
            .ok()
            .filter(|n| *n <= MAX_GPUS)
            .ok_or_else(|| format!("`{spec}`: at most {MAX_GPUS} GPUs"))?;
        (count, rest.trim())
    };
    if count == 0 {
        return Err(format!("`{spec}`: the GPU count must be at least 1"));
    }
    if name.is_empty() {
        return Err(format!(
            "`{spec}`: no GPU name after the count, e.g. {count}xH100"
        ));
    }
    let gpu = find_gpu(catalog, name).ok_or_else(|| {
        let names = catalog
            .gpus
            .iter()
            .flat_map(|g| std::iter::once(g.id.as_str()).chain(g.aliases.iter().map(Text::as_str)));
        let hint = crate::suggest::did_you_mean(&name.to_ascii_lowercase(), names);
        format!("unknown GPU `{name}`{hint}; `pick gpus` lists the known ones")
    })?;
    Ok(GpuSet { gpu, count })
}

/// Reads `nvidia-smi --query-gpu=name,memory.total --format=csv,noheader` output.
pub fn parse_nvidia_smi<'c>(catalog: &'c Catalog, output: &str) -> Result<GpuSet<'c>, String> {
    let mut found: Option<&Gpu> = None;
    let mut count = 0;
    for line in output.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (name, mem) = line.split_once(',').unwrap_or((line, ""));
        let mib: f64 = mem
            .trim()
            .trim_end_matches("MiB")
            .trim()
            .parse()
            .unwrap_or(0.0);
        let gpu = detect(catalog, name, mib).ok_or_else(|| format!("nvidia-smi reports `{name}`, which the GPU catalog does not know; give --gpus NxNAME"))?;
        if found.is_some_and(|f| f.id != gpu.id) {
            return Err(
                "nvidia-smi reports mixed GPU types; give --gpus NxNAME for the ones to use".into(),
            );
        }
        found = Some(gpu);
        count += 1;
    }
    match found {
        Some(gpu) => Ok(GpuSet { gpu, count }),
        None => Err("nvidia-smi listed no GPU".into()),
    }
}

/// Maps an nvidia-smi product name (e.g. "NVIDIA H100 80GB HBM3") to a catalog GPU.
fn detect<'c>(catalog: &'c Catalog, name: &str, mib: f64) -> Option<&'c Gpu> {
    let n = squash(name);
    let pick = |id: &str| catalog.gpu(id);
    let has = |s: &str| n.contains(s);
    if has("h100") {
        return if has("nvl") {
            pick("h100-nvl")
        } else if has("pcie") {
            pick("h100-pcie")
        } else {
            pick("h100-sxm")
        };
    }
    if has("a100") {
        return if mib > 0.0 && mib < 60_000.0 {
            pick("a100-40gb")
        } else {
            pick("a100-80gb")
        };
    }
    if has("rtx6000ada") || has("rtx6000adageneration") {
        return pick("rtx-6000-ada");
    }
    for (needle, id) in [
        ("gh200", "h200"),
        ("h200", "h200"),
        ("gb200", "gb200"),
        ("b200", "b200"),
        ("b300", "b300"),
        ("l40s", "l40s"),
        ("a10g", "a10g"),
        ("rtx4090", "rtx-4090"),
        ("rtx5090", "rtx-5090"),
        ("l4", "l4"),
    ] {
        if has(needle) {
            return pick(id);
        }
    }
    None
}

/// How long `--gpus auto` waits for nvidia-smi: it answers in well under a second on a healthy
/// machine, and hangs for minutes when a driver or a GPU is wedged.
pub const NVIDIA_SMI_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// The most of nvidia-smi's output read: a line per GPU is a few dozen bytes.
const NVIDIA_SMI_MAX_OUTPUT: u64 = 1024 * 1024;

/// Runs nvidia-smi (killed after `NVIDIA_SMI_TIMEOUT`) and parses its answer.
pub fn detect_local(catalog: &Catalog) -> Result<GpuSet<'_>, String> {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let program = std::env::var("PICK_NVIDIA_SMI").unwrap_or_else(|_| "nvidia-smi".into());
    let instead = "give --gpus NxNAME instead, e.g. 4xH100";
    // stderr is not inherited: a process nvidia-smi leaves behind must not hold our stderr open.
    let mut child = Command::new(&program)
        .args(["--query-gpu=name,memory.total", "--format=csv,noheader"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("--gpus auto needs nvidia-smi ({program}: {e}); {instead}"))?;
    // Read on another thread so a large answer cannot fill the pipe and stall the child while we
    // wait; the thread is abandoned on a timeout (a process nvidia-smi started may keep the pipe
    // open).
    let mut stdout = child.stdout.take().ok_or("nvidia-smi: no output pipe")?;
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = (&mut stdout)
            .take(NVIDIA_SMI_MAX_OUTPUT)
            .read_to_end(&mut bytes);
        let _ = send.send(bytes);
    });
    let start = std::time::Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() >= NVIDIA_SMI_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "nvidia-smi ({program}) did not answer within {} s and was stopped; {instead}",
                    NVIDIA_SMI_TIMEOUT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(10)),
            Err(e) => return Err(format!("nvidia-smi ({program}): {e}; {instead}")),
        }
    };
    if !status.success() {
        return Err(format!("nvidia-smi failed ({status}); {instead}"));
    }
    // The output ends when every holder of the pipe closes it: nvidia-smi, and anything it left
    // running. Wait for that within the same time limit.
    let left = NVIDIA_SMI_TIMEOUT.saturating_sub(start.elapsed());
    let bytes = receive
        .recv_timeout(left.max(std::time::Duration::from_millis(100)))
        .map_err(|_| {
            format!(
                "nvidia-smi ({program}) exited but its output did not end within {} s; {instead}",
                NVIDIA_SMI_TIMEOUT.as_secs()
            )
        })?;
    parse_nvidia_smi(catalog, &String::from_utf8_lossy(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The counts are every count inside one node, then (with a network between nodes) every
    /// whole number of nodes, up to the limit: checked against that definition counted out.
    #[test]
    fn counts_from_are_the_counts_a_plan_can_use() {
        let mut checked = 0;
        for per in [1, 2, 4, 8, 16, 64, 256, 5000] {
            for scale_out in [false, true] {
                let topo = Topology {
                    count: 1,
                    per_node: per,
                    scale_out,
                };
                for from in [0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 100, 4095, 4096, 4097, 9000] {
                    let want: Vec<u64> = (from.max(1)..=MAX_GPUS)
                        .filter(|&c| c <= per || (scale_out && c % per == 0))
                        .collect();
                    let got: Vec<u64> = topo.counts_from(from).collect();
                    assert_eq!(got, want, "per {per}, scale-out {scale_out}, from {from}");
                    let n = want.len();
                    assert_eq!(topo.counts_from(from).size_hint(), (n, Some(n)));
                    for i in [0, 1, n / 2, n.saturating_sub(1), n, n + 1] {
                        assert_eq!(topo.counts_from(from).nth(i), want.get(i).copied());
                    }
                    checked += want.len();
                }
            }
        }
        assert!(checked > 10_000);
    }

    fn catalog() -> Catalog {
        Catalog::embedded()
    }

    #[test]
    fn specs_from_the_issue() {
        let c = catalog();
        let ok = |s: &str| parse_spec(&c, s).map(|g| (g.gpu.id.clone(), g.count));
        assert_eq!(ok("4xH100"), Ok(("h100-sxm".into(), 4)));
        assert_eq!(ok("8xH200"), Ok(("h200".into(), 8)));
        assert_eq!(ok("2xA100-40GB"), Ok(("a100-40gb".into(), 2)));
        assert_eq!(ok("H100"), Ok(("h100-sxm".into(), 1)));
        assert_eq!(ok("4x h100-sxm"), Ok(("h100-sxm".into(), 4)));
        assert_eq!(ok("2 x NVIDIA H100 SXM"), Ok(("h100-sxm".into(), 2)));
    }

    #[test]
    fn bad_specs_say_why() {
        let c = catalog();
        for bad in [
            "0xH100",
            "4x",
            "x100",
            "99999999999xH100",
            "4xH1000000",
            "2xH100,2xA100",
            "",
            "4yH100",
        ] {
            assert!(parse_spec(&c, bad).is_err(), "{bad}");
        }
        let e = parse_spec(&c, "4xH10").unwrap_err();
        assert!(e.contains("did you mean"), "{e}");
    }

    #[test]
    fn nodes_hold_tp_and_whole_node_replicas() {
        let c = catalog();
        let h100 = c.gpu("h100-sxm").unwrap();
        let t = Topology::new(h100, 16, None);
        assert_eq!((t.per_node, t.nodes()), (8, 2));
        assert!(t.allows(8, 2), "TP8 in each node, two pipeline stages");
        assert!(t.allows(4, 4), "TP4 groups tile the nodes");
        assert!(!t.allows(16, 1), "no tensor parallelism across nodes");
        assert_eq!(t.replicas(8), 2);
        assert_eq!(t.replicas(16), 1);
        // 12 GPUs are a node and a half: no 12- or 16-GPU replica, two of 4 in the half node.
        let t = Topology::new(h100, 12, None);
        assert_eq!(t.replicas(4), 3);
        assert!(!t.allows(4, 3));
        assert_eq!(
            t.counts_from(7).take(4).collect::<Vec<_>>(),
            vec![7, 8, 16, 24]
        );
        // --gpus-per-node 4: TP8 is out.
        assert!(!Topology::new(h100, 8, Some(4)).allows(8, 1));
        // PCIe cards with no known network: nothing spans nodes.
        let t = Topology::new(c.gpu("rtx-4090").unwrap(), 16, None);
        assert_eq!(t.replicas(16), 0);
        assert_eq!(t.counts_from(7).collect::<Vec<_>>(), vec![7, 8]);
    }

    #[test]
    fn nvidia_smi_output() {
        let c = catalog();
        let out = "NVIDIA H100 80GB HBM3, 81559 MiB\nNVIDIA H100 80GB HBM3, 81559 MiB\n";
        let set = parse_nvidia_smi(&c, out).unwrap();
        assert_eq!((set.gpu.id.as_str(), set.count), ("h100-sxm", 2));
        let a100 = parse_nvidia_smi(&c, "NVIDIA A100-SXM4-40GB, 40960 MiB").unwrap();
        assert_eq!(a100.gpu.id, "a100-40gb");
        assert!(parse_nvidia_smi(
            &c,
            "NVIDIA H100 80GB HBM3, 81559 MiB\nNVIDIA A100-SXM4-40GB, 40960 MiB"
        )
        .is_err());
        assert!(parse_nvidia_smi(&c, "").is_err());
    }
}
