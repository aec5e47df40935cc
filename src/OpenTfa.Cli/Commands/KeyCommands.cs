using System.CommandLine;
using System.Globalization;
using OpenTfa.Contracts;

namespace OpenTfa.Cli.Commands;

/// <summary><c>opentfa keys create|list|revoke</c> and <c>opentfa tenants create|list|senders</c> (scope opentfa:admin).</summary>
internal static class KeyCommands
{
    public static Command Keys() => new("keys", "Manage API keys (scope opentfa:admin)")
    {
        CreateKeyCommand(),
        ListKeysCommand(),
        RevokeKeyCommand(),
    };

    public static Command Tenants() => new("tenants", "Manage tenants; each key belongs to one (operator opentfa:admin key)")
    {
        CreateTenantCommand(),
        ListTenantsCommand(),
        SendersCommand(),
    };

    private static Command CreateKeyCommand()
    {
        var name = new Option<string?>("--name", "-n") { Description = "What the key is for, e.g. 'web backend'" };
        var scopes = new Option<string[]>("--scope", "-s")
        {
            Description = "A scope the key gets: 2fa:manage, 2fa:pin:send or opentfa:admin; repeat or separate with commas",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var tenant = new Option<string?>("--tenant") { Description = "The tenant the key belongs to (default: the caller's)" };
        var expires = new Option<string?>("--expires")
        {
            Description = "When the key stops working: a duration from now (90d, 12h, 30m) or a UTC time (2027-01-31T00:00:00Z)",
        };
        var command = new Command("create", "Create an API key; the key itself is shown only this once") { name, scopes, tenant, expires };
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            var request = new CreateApiKeyRequest
            {
                Name = parse.GetValue(name),
                TenantId = parse.GetValue(tenant),
                Scopes = parse.GetRequiredValue(scopes).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray(),
                ExpiresAt = parse.GetValue(expires) is { } text ? ExpiryOf(text).ToUnixTimeMilliseconds() : null,
            };
            ApiKeyResponse key = await s.Client.CreateApiKeyAsync(request, ct);
            s.Emit(() =>
            {
                Views.Key(key);
                Session.Out.WriteLine();
                Session.Out.WriteLine("The key (shown only now; store it safely):");
                Session.Out.WriteLine(key.Key);
            });
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command ListKeysCommand()
    {
        var tenant = new Option<string?>("--tenant") { Description = "Only this tenant's keys (operator administrators)" };
        var command = new Command("list", "List API keys (never the keys themselves)") { tenant };
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            IReadOnlyList<ApiKeyResponse> keys = await s.Client.GetApiKeysAsync(parse.GetValue(tenant), ct);
            s.Emit(() => Views.Keys(keys));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command RevokeKeyCommand()
    {
        var keyId = new Argument<string>("keyId") { Description = "The key's id, from 'keys list'" };
        var command = new Command("revoke", "Revoke an API key; it stops working at once on this node, within seconds on others") { keyId };
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            ApiKeyResponse key = await s.Client.RevokeApiKeyAsync(parse.GetRequiredValue(keyId), ct);
            s.Emit(() =>
            {
                Session.Out.WriteLine($"Revoked {key.KeyId}.");
                Views.Key(key);
            });
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command CreateTenantCommand()
    {
        var name = new Argument<string>("name") { Description = "The tenant's name" };
        var command = new Command("create", "Create a tenant; then give it keys with 'opentfa keys create --tenant <tenantId>'") { name };
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            TenantResponse tenant = await s.Client.CreateTenantAsync(new CreateTenantRequest { Name = parse.GetRequiredValue(name) }, ct);
            s.Emit(() => Views.Tenant(tenant));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command ListTenantsCommand()
    {
        var command = new Command("list", "List tenants");
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            IReadOnlyList<TenantResponse> tenants = await s.Client.GetTenantsAsync(ct);
            s.Emit(() => Views.Tenants(tenants));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command SendersCommand()
    {
        var tenantId = new Argument<string>("tenantId") { Description = "The tenant, from 'tenants list'" };
        var sms = new Option<string[]>("--sms") { Description = "Replace the SMS senders (sender ids or numbers); repeat or separate with commas; '' for none but the service default" };
        var email = new Option<string[]>("--email") { Description = "Replace the e-mail From addresses (@example.com for a whole domain); repeat or separate with commas" };
        var clear = new Option<bool>("--clear") { Description = "Remove both lists: the service-wide OpenTfa:Pins:AllowedSenders applies again" };
        var command = new Command("senders", "Show a tenant's allowed senders, or change them (operator opentfa:admin key); a kind not given stays as it is")
        {
            tenantId, sms, email, clear,
        };
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            string id = parse.GetRequiredValue(tenantId);
            TenantSendersResponse current = await s.Client.GetTenantSendersAsync(id, ct);
            string[]? newSms = parse.GetResult(sms) is null ? null : Split(parse.GetValue(sms));
            string[]? newEmail = parse.GetResult(email) is null ? null : Split(parse.GetValue(email));
            if (parse.GetValue(clear) || newSms is not null || newEmail is not null)
            {
                var request = parse.GetValue(clear)
                    ? new TenantSendersRequest()
                    : new TenantSendersRequest { Sms = newSms ?? current.Sms, Email = newEmail ?? current.Email };
                current = await s.Client.SetTenantSendersAsync(id, request, ct);
            }

            s.Emit(() => Views.Senders(current));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static string[] Split(string[]? values) =>
        (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();

    /// <summary>A duration as the command line writes it: a whole number of days, hours or minutes (90d, 12h, 30m).</summary>
    internal static bool TryDuration(string value, out TimeSpan span)
    {
        span = default;
        if (value.Length < 2 || !char.IsAsciiDigit(value[0]) || value[^1] is not ('d' or 'h' or 'm')
            || !long.TryParse(value.AsSpan(0, value.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out long amount) || amount is <= 0 or >= 1_000_000)
        {
            return false;
        }

        span = value[^1] switch { 'd' => TimeSpan.FromDays(amount), 'h' => TimeSpan.FromHours(amount), _ => TimeSpan.FromMinutes(amount) };
        return true;
    }

    internal static DateTimeOffset ExpiryOf(string text)
    {
        string value = text.Trim();
        if (TryDuration(value, out TimeSpan span))
        {
            return TimeProvider.System.GetUtcNow() + span;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset at))
        {
            return at;
        }

        throw new UsageException($"--expires '{text}' is neither a duration (90d, 12h, 30m) nor a time (2027-01-31T00:00:00Z)");
    }
}
