using Microsoft.Extensions.Options;

namespace OpenTfa.Core.Configuration;

/// <summary>
/// Validates one options class: first the checks its attributes declare (run by an
/// <c>[OptionsValidator]</c> source-generated validator), then the rules that relate several
/// settings. Every message starts with the setting's full path.
/// </summary>
public abstract class SettingsValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : class
{
    /// <summary>The source-generated validator of the attributes.</summary>
    protected abstract IValidateOptions<TOptions> Attributes { get; }

    /// <summary>The configuration section the options named <paramref name="name"/> are bound from.</summary>
    protected abstract string SectionOf(string? name);

    /// <summary>Rules across settings of the options named <paramref name="name"/>, each a message that starts with a setting of <paramref name="section"/>.</summary>
    protected abstract IEnumerable<string> Rules(string? name, string section, TOptions options);

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string section = SectionOf(name);
        var result = new ValidateOptionsResultBuilder();
        result.AddResult(Attributes.Validate(section, options));
        foreach (string problem in Rules(name, section, options))
        {
            result.AddError(problem);
        }

        return result.Build();
    }
}
