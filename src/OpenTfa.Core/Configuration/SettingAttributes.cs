using System.ComponentModel.DataAnnotations;
using System.Globalization;
using OpenTfa.Core.Security;

namespace OpenTfa.Core.Configuration;

/// <summary>
/// The setting a failed check is about, as an operator writes it. The options validators are
/// called with the section's path as the options name (<c>OpenTfa</c>,
/// <c>OpenTfa:Channels:mail</c>) and join members with dots, so the display name becomes the
/// setting once the dots are colons.
/// </summary>
public static class SettingPath
{
    public static string Of(ValidationContext context) => context.DisplayName.Replace('.', ':');

    /// <summary>A value as a message may show it: invariant, durations as <c>00:00:30</c>, and nothing of a secret.</summary>
    public static string Show(string setting, object? value) => value switch
    {
        null => "(unset)",
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        string text => "'" + SecretRedaction.Value(setting, text) + "'",
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => "'" + SecretRedaction.Value(setting, value.ToString()) + "'",
    };
}

/// <summary><see cref="RangeAttribute"/> whose message names the setting and shows the value it had.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SettingRangeAttribute : RangeAttribute
{
    public SettingRangeAttribute(int minimum, int maximum)
        : base(minimum, maximum)
    {
    }

    public SettingRangeAttribute(double minimum, double maximum)
        : base(minimum, maximum)
    {
    }

    /// <summary>A range of durations, such as <c>"00:00:00", "366.00:00:00"</c>.</summary>
    public SettingRangeAttribute(Type type, string minimum, string maximum)
        : base(type, minimum, maximum)
    {
        ParseLimitsInInvariantCulture = true;
        ConvertValueInInvariantCulture = true;
    }

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is null || IsValid(value))
        {
            return ValidationResult.Success;
        }

        string setting = SettingPath.Of(validationContext);
        string lower = MinimumIsExclusive ? "above" : "between";
        string joint = MinimumIsExclusive ? "and at most" : "and";
        return new ValidationResult($"{setting} must be {lower} {SettingPath.Show(setting, Minimum)} {joint} {SettingPath.Show(setting, Maximum)}, was {SettingPath.Show(setting, value)}");
    }
}

/// <summary><see cref="RequiredAttribute"/> whose message names the setting.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SettingRequiredAttribute : RequiredAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        IsValid(value) ? ValidationResult.Success : new ValidationResult($"{SettingPath.Of(validationContext)} is required");
}

/// <summary>A duration above zero (and at most <see cref="MaximumDays"/> days when set).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PositiveDurationAttribute : ValidationAttribute
{
    public int MaximumDays { get; set; }

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is not TimeSpan span || (span > TimeSpan.Zero && (MaximumDays == 0 || span <= TimeSpan.FromDays(MaximumDays))))
        {
            return ValidationResult.Success;
        }

        string setting = SettingPath.Of(validationContext);
        string most = MaximumDays == 0 ? string.Empty : $" of at most {MaximumDays} days";
        return new ValidationResult($"{setting} must be a positive duration{most} such as 00:00:30, was {SettingPath.Show(setting, span)}");
    }
}

/// <summary>One of a few words, such as <c>sqlite</c> or <c>postgres</c>.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class OneOfAttribute(params string[] values) : ValidationAttribute
{
    public bool IgnoreCase { get; set; }

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        StringComparison comparison = IgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        if (value is not string text || values.Any(v => string.Equals(v, text, comparison)))
        {
            return ValidationResult.Success;
        }

        string setting = SettingPath.Of(validationContext);
        string choices = values.Length == 2 ? $"{values[0]} or {values[1]}" : "one of " + string.Join(", ", values);
        return new ValidationResult($"{setting} must be {choices}, was {SettingPath.Show(setting, text)}");
    }
}
