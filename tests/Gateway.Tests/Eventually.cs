namespace Gateway.Tests;

/// <summary>Waits for something the gateway does in the background (an export round, a span ended, a check's answer).</summary>
public static class Eventually
{
    /// <summary>
    /// The value once <paramref name="done"/> holds, or the last one read after <paramref name="tries"/> more reads
    /// (the test's assertions then say what is missing).
    /// </summary>
    public static async Task<T> ReadAsync<T>(Func<Task<T>> read, Func<T, bool> done, int tries = 100, int delayMs = 200)
    {
        for (var i = 0; ; i++)
        {
            var value = await read();
            if (done(value) || i == tries) return value;
            await Task.Delay(delayMs);
        }
    }
}
