using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Gateway.Api.Cli;

/// <summary>
/// The values the commands share — times, ids, choices and counts — each parsed while the command line is, so that a
/// malformed one is refused with one line naming it before anything runs.
/// </summary>
public static class CliInputs
{
    public const string TimeExample = "2026-11-28T10:00:00Z";

    /// <summary>An ISO 8601 instant; without an offset it is UTC.</summary>
    public static Option<DateTimeOffset?> Time(string name, string description, bool required = false) => new(name)
    {
        Description = $"{description}; ISO 8601 such as {TimeExample}, UTC unless it has an offset",
        HelpName = "ISO-TIME",
        Required = required,
        CustomParser = result => ParseTime(result, name),
    };

    /// <summary><paramref name="from"/> before <paramref name="to"/> when both are given.</summary>
    public static void Period(Command command, Option<DateTimeOffset?> from, Option<DateTimeOffset?> to)
    {
        command.Options.Add(from);
        command.Options.Add(to);
        command.Validators.Add(result =>
        {
            // Read from the tokens: GetValue throws on a malformed time, which its own parser has already refused.
            if (TryTime(result.GetResult(from)) is { } start && TryTime(result.GetResult(to)) is { } end && start >= end)
                result.AddError($"{from.Name} ({start:O}) must be before {to.Name} ({end:O}).");
        });
    }

    /// <summary>A GUID naming a key, a request or another entity.</summary>
    public static Argument<Guid> Id(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result => ParseId(result, name) ?? Guid.Empty,
    };

    public static Option<Guid?> IdOption(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "ID",
        CustomParser = result => ParseId(result, name),
    };

    /// <summary>One of a fixed list (case-insensitive), with a default.</summary>
    public static Option<string> Choice(string name, string description, string defaultValue, IEnumerable<string> choices)
    {
        var allowed = choices.ToArray();
        var option = new Option<string>(name)
        {
            Description = description,
            HelpName = string.Join('|', allowed),
            DefaultValueFactory = _ => defaultValue,
        };
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (!allowed.Contains(value, StringComparer.OrdinalIgnoreCase))
                result.AddError($"{name} is one of {string.Join(", ", allowed)}, not '{value}'.");
        });
        return option;
    }

    public static Argument<string> Choice(string name, string description, IEnumerable<string> choices)
    {
        var allowed = choices.ToArray();
        var argument = new Argument<string>(name) { Description = $"{description}: {string.Join(", ", allowed)}" };
        argument.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (!allowed.Contains(value, StringComparer.OrdinalIgnoreCase))
                result.AddError($"{name} is one of {string.Join(", ", allowed)}, not '{value}'.");
        });
        return argument;
    }

    /// <summary>A whole number within [min, max].</summary>
    public static Option<int> Count(string name, string description, int defaultValue, int min, int max) => new(name)
    {
        Description = description,
        HelpName = "N",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var text = Single(result, name);
            if (text is null) return defaultValue;
            if (int.TryParse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max) return n;
            result.AddError($"{name} is a whole number from {min:N0} to {max:N0}, not '{text}'.");
            return defaultValue;
        },
    };

    static DateTimeOffset? ParseTime(ArgumentResult result, string name)
    {
        var text = Single(result, name);
        if (text is null) return null;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, TimeStyles, out var time)) return time;
        result.AddError($"{name} is a time in ISO 8601 (e.g. {TimeExample}), not '{text}'.");
        return null;
    }

    static DateTimeOffset? TryTime(OptionResult? given) =>
        given is { Tokens: [var token] } && DateTimeOffset.TryParse(token.Value, CultureInfo.InvariantCulture, TimeStyles, out var time) ? time : null;

    const DateTimeStyles TimeStyles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;

    static Guid? ParseId(ArgumentResult result, string name)
    {
        var text = Single(result, name);
        if (text is null) return null;
        if (Guid.TryParse(text, out var id)) return id;
        result.AddError($"{name} is an id (a GUID such as 01a221da-457e-7625-8fae-fd2beae23c34), not '{text}'.");
        return null;
    }

    static string? Single(ArgumentResult result, string name)
    {
        if (result.Tokens.Count == 1) return result.Tokens[0].Value;
        result.AddError($"{name} takes one value.");
        return null;
    }
}
