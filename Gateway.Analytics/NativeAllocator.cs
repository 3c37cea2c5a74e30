using System.Runtime.InteropServices;

namespace Gateway.Analytics;

/// <summary>
/// DuckDB's buffers come from the C allocator, and every export round allocates and frees a few megabytes of them.
/// With glibc's defaults a freed block of 128 KB or more goes back to the operating system at once, so the next round
/// faults the same pages in again, zeroed by the kernel: at 10,000 requests a second that churn cost the gateway about
/// 35 µs of CPU per request (bench/README.md, Response cache). Freed memory is kept for reuse instead, up to what
/// DuckDB's memory limit lets it hold.
/// </summary>
static class NativeAllocator
{
    const int TrimThreshold = -1; // M_TRIM_THRESHOLD
    const int MmapThreshold = -3; // M_MMAP_THRESHOLD

    static int applied;

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int MallOpt(int parameter, int value);

    /// <summary>Once per process, on Linux with glibc (elsewhere nothing changes).</summary>
    public static void KeepFreedMemory()
    {
        if (!OperatingSystem.IsLinux() || Interlocked.Exchange(ref applied, 1) == 1) return;
        try
        {
            // Blocks up to 32 MB (glibc's ceiling) come from the heap, and up to 256 MB freed at its top stays mapped.
            MallOpt(MmapThreshold, 32 << 20);
            MallOpt(TrimThreshold, 256 << 20);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc: its allocator keeps its own policy.
        }
    }
}
