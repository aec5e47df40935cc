using Microsoft.Extensions.Options;
using OpenTfa.Core.Configuration;
using OpenTfa.Core.Security;

namespace OpenTfa.Server.Hosting;

/// <summary>The checks declared by the attributes of <see cref="OpenTfaOptions"/> and of every section inside it.</summary>
[OptionsValidator]
internal sealed partial class OpenTfaOptionsAttributes : IValidateOptions<OpenTfaOptions>;

/// <summary>Validates the <c>OpenTfa</c> section: its attributes, then the rules that relate several settings.</summary>
internal sealed class OpenTfaOptionsValidator : SettingsValidator<OpenTfaOptions>
{
    protected override IValidateOptions<OpenTfaOptions> Attributes { get; } = new OpenTfaOptionsAttributes();

    protected override string SectionOf(string? name) => OpenTfaOptions.Section;

    protected override IEnumerable<string> Rules(string? name, string section, OpenTfaOptions o)
    {
        if (o.Storage.Provider == "postgres" && string.IsNullOrEmpty(o.Encryption.Key) && string.IsNullOrEmpty(o.Encryption.KeyFile))
        {
            yield return $"{section}:Encryption:KeyFile (or Key) is required with the postgres provider: every node must seal and open PINs with the same key";
        }

        if (o.Storage.Provider == "postgres" && string.IsNullOrEmpty(o.Storage.ConnectionString) && string.IsNullOrEmpty(o.Storage.ConnectionStringFile))
        {
            yield return $"{section}:Storage:ConnectionString (or ConnectionStringFile) is required with the postgres provider";
        }

        if (o.BootstrapApiKey is { Length: < ApiKeyFormat.MinOperatorChosenLength })
        {
            yield return $"{section}:BootstrapApiKey must be at least {ApiKeyFormat.MinOperatorChosenLength} characters (the value is not shown); leave it unset to have a strong key generated and printed once";
        }

        foreach ((string setting, string? file) in new[] { ("BootstrapApiKeyFile", o.BootstrapApiKeyFile), ("Storage:ConnectionStringFile", o.Storage.ConnectionStringFile), ("Encryption:KeyFile", o.Encryption.KeyFile) })
        {
            if (!string.IsNullOrEmpty(file) && !File.Exists(file))
            {
                yield return $"{section}:{setting} points at '{file}', which does not exist";
            }
        }

        if (o.Retention.History < o.Retention.PinAfterExpiry)
        {
            yield return $"{section}:Retention:History ({o.Retention.History}) must be at least PinAfterExpiry ({o.Retention.PinAfterExpiry})";
        }

        IEnumerable<string> more =
        [
            .. TelemetryOptions.NetworkProblems($"{section}:TrustedProxies", o.TrustedProxies),
            .. o.Delivery.Problems($"{section}:Delivery"),
            .. o.Webhooks.Problems($"{section}:Webhooks"),
            .. o.Telemetry.Problems($"{section}:Telemetry"),
        ];
        foreach (string problem in more)
        {
            yield return problem;
        }
    }
}
