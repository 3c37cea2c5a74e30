namespace Chaos;

/// <summary>The command line of one chaos client run: <c>--name value</c> pairs after the command word.</summary>
sealed class Options(string[] args)
{
    public string Get(string name, string fallback = "")
    {
        var i = Array.IndexOf(args, "--" + name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    public int Int(string name, int fallback) => int.Parse(Get(name, fallback.ToString()));

    public double Double(string name, double fallback) =>
        double.Parse(Get(name, fallback.ToString(System.Globalization.CultureInfo.InvariantCulture)), System.Globalization.CultureInfo.InvariantCulture);

    public string Required(string name) =>
        Get(name) is { Length: > 0 } value ? value : throw new ArgumentException($"--{name} is required");
}
