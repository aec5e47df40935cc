using System.CommandLine;
using OpenTfa.Contracts;

namespace OpenTfa.Cli.Commands;

/// <summary><c>opentfa apps create|list|show|update</c>: 2FA applications (scope 2fa:manage).</summary>
internal static class AppCommands
{
    public static Command Create()
    {
        return new Command("apps", "Manage 2FA applications: limits, PIN time to live and attempts (scope 2fa:manage)")
        {
            CreateCommand(),
            ListCommand(),
            ShowCommand(),
            UpdateCommand(),
        };
    }

    private static Command CreateCommand()
    {
        var name = new Argument<string>("name") { Description = "The application's name" };
        var settings = new Settings();
        var command = new Command("create", "Create an application; settings left out take the server's defaults") { name };
        settings.AddTo(command);
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            var request = new ApplicationRequest { Name = parse.GetRequiredValue(name), Enabled = parse.GetValue(settings.Enabled) ?? true };
            if (settings.Configuration(parse, null) is { } configuration)
            {
                request.Configuration = configuration;
            }

            ApplicationResponse app = await s.Client.CreateApplicationAsync(request, ct);
            s.Emit(() => Views.Application(app));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command ListCommand()
    {
        var command = new Command("list", "List the applications of the key's tenant");
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            IReadOnlyList<ApplicationResponse> apps = await s.Client.GetApplicationsAsync(ct);
            s.Emit(() => Views.Applications(apps));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command ShowCommand()
    {
        var id = new Argument<string>("applicationId") { Description = "The application's id" };
        var command = new Command("show", "Show one application with its whole configuration") { id };
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            ApplicationResponse app = await s.Client.GetApplicationAsync(parse.GetRequiredValue(id), ct);
            s.Emit(() => Views.Application(app));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command UpdateCommand()
    {
        var id = new Argument<string>("applicationId") { Description = "The application's id" };
        var name = new Option<string?>("--name") { Description = "A new name" };
        var settings = new Settings();
        var command = new Command("update", "Change an application: only the options given change, everything else keeps its current value") { id, name };
        settings.AddTo(command);
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            string appId = parse.GetRequiredValue(id);
            // The API's PUT replaces the whole application; start from what it is now so that only the given options change.
            ApplicationResponse current = await s.Client.GetApplicationAsync(appId, ct);
            var request = new ApplicationRequest
            {
                Name = parse.GetValue(name) ?? current.Name,
                Enabled = parse.GetValue(settings.Enabled) ?? current.Enabled,
                Configuration = settings.Configuration(parse, current.Configuration),
            };
            ApplicationResponse app = await s.Client.UpdateApplicationAsync(appId, request, ct);
            s.Emit(() => Views.Application(app));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    /// <summary>The application settings, named as on the wire.</summary>
    private sealed class Settings
    {
        public Option<bool?> Enabled { get; } = new("--enabled") { Description = "Whether sends and verifies are allowed (true|false; default true on create)" };

        public Option<int?> PinAttempts { get; } = new("--pin-attempts") { Description = "Wrong PINs allowed per PIN (default 10)" };

        public Option<string?> PinTimeToLive { get; } = new("--pin-ttl", "--pin-time-to-live") { Description = "How long a PIN stays valid, e.g. 10m, 2h (default 15m)" };

        public Option<bool?> AllowMultiple { get; } = new("--allow-multiple-pin-verifications") { Description = "Whether a verified PIN may be verified again (true|false; default true)" };

        public Option<string?> ApplicationLimit { get; } = new("--send-pin-per-application-limit") { Description = "Sends per application, e.g. 10000/1d" };

        public Option<string?> NumberLimit { get; } = new("--send-pin-per-phone-number-limit") { Description = "Sends per destination, e.g. 3/1d" };

        public Option<string?> VerifyLimit { get; } = new("--verify-pin-limit") { Description = "Verifies per destination, e.g. 1/3s" };

        public void AddTo(Command command)
        {
            command.Add(Enabled);
            command.Add(PinAttempts);
            command.Add(PinTimeToLive);
            command.Add(AllowMultiple);
            command.Add(ApplicationLimit);
            command.Add(NumberLimit);
            command.Add(VerifyLimit);
        }

        /// <summary>The configuration with the given options over <paramref name="current"/>; null when nothing is given or current.</summary>
        public ApplicationConfiguration? Configuration(ParseResult parse, ApplicationConfiguration? current)
        {
            var c = new ApplicationConfiguration
            {
                PinAttempts = parse.GetValue(PinAttempts) ?? current?.PinAttempts,
                PinTimeToLive = parse.GetValue(PinTimeToLive) ?? current?.PinTimeToLive,
                AllowMultiplePinVerifications = parse.GetValue(AllowMultiple) ?? current?.AllowMultiplePinVerifications,
                SendPinPerApplicationLimit = parse.GetValue(ApplicationLimit) ?? current?.SendPinPerApplicationLimit,
                SendPinPerPhoneNumberLimit = parse.GetValue(NumberLimit) ?? current?.SendPinPerPhoneNumberLimit,
                VerifyPinLimit = parse.GetValue(VerifyLimit) ?? current?.VerifyPinLimit,
            };
            bool any = c.PinAttempts is not null || c.PinTimeToLive is not null || c.AllowMultiplePinVerifications is not null
                || c.SendPinPerApplicationLimit is not null || c.SendPinPerPhoneNumberLimit is not null || c.VerifyPinLimit is not null;
            return any ? c : null;
        }
    }
}
