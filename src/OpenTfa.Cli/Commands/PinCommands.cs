using System.CommandLine;
using OpenTfa.Contracts;

namespace OpenTfa.Cli.Commands;

/// <summary><c>opentfa pin send|resend|verify|status|messages|show</c>: the runtime flow (scope 2fa:pin:send; <c>show</c> 2fa:manage).</summary>
internal static class PinCommands
{
    private static readonly string[] Channels = ["sms", "voice", "email"];

    public static Command Create() => new("pin", "Send, resend and verify PINs, and see what was sent (scope 2fa:pin:send)")
    {
        SendCommand(),
        ResendCommand(),
        VerifyCommand(),
        StatusCommand(),
        MessagesCommand(),
        ShowCommand(),
    };

    private static Option<string> Channel()
    {
        var option = new Option<string>("--channel", "-c")
        {
            Description = "How to deliver the PIN: sms, voice or email",
            DefaultValueFactory = _ => "sms",
        };
        option.AcceptOnlyFromAmong(Channels);
        return option;
    }

    private static Option<string[]> Placeholders() => new("--placeholder", "-p")
    {
        Description = "A template placeholder as name=value; repeat for several",
        HelpName = "name=value",
    };

    private static Command SendCommand()
    {
        var app = new Option<string>("--app", "-a") { Description = "The application's id", Required = true };
        var template = new Option<string>("--template", "-t") { Description = "The template's id (an e-mail template for --channel email)", Required = true };
        var to = new Option<string>("--to") { Description = "The phone number (digits, optionally with + or spaces) or, for e-mail, the address", Required = true };
        var from = new Option<string?>("--from") { Description = "The sender, overriding the template's" };
        var channel = Channel();
        var placeholders = Placeholders();
        var noCheck = new Option<bool>("--no-number-check") { Description = "SMS: skip the number check (ncNeeded=false)" };
        var command = new Command("send", "Send a new PIN; prints its pinId") { app, template, to, from, channel, placeholders, noCheck };
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            var request = new StartAuthenticationRequest
            {
                ApplicationId = parse.GetRequiredValue(app),
                MessageId = parse.GetRequiredValue(template),
                To = parse.GetRequiredValue(to),
                From = parse.GetValue(from),
                Placeholders = ParsePlaceholders(parse.GetValue(placeholders)),
            };
            switch (parse.GetRequiredValue(channel))
            {
                case "email":
                    StartEmailAuthenticationResponse email = await s.Client.SendPinOverEmailAsync(request, ct);
                    s.Emit(() => Views.Sent(email));
                    break;
                case "voice":
                    StartAuthenticationResponse voice = await s.Client.SendPinOverVoiceAsync(request, ct);
                    s.Emit(() => Views.Sent(voice));
                    break;
                default:
                    StartAuthenticationResponse sms = await s.Client.SendPinOverSmsAsync(request, parse.GetValue(noCheck) ? false : null, ct);
                    s.Emit(() => Views.Sent(sms));
                    break;
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command ResendCommand()
    {
        var pinId = new Argument<string>("pinId") { Description = "The PIN's id, from 'pin send'" };
        var channel = Channel();
        var placeholders = Placeholders();
        var command = new Command("resend", "Send the same PIN again (same pinId; its time to live and attempts go on)") { pinId, channel, placeholders };
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            var request = new ResendPinRequest { Placeholders = ParsePlaceholders(parse.GetValue(placeholders)) };
            string id = parse.GetRequiredValue(pinId);
            switch (parse.GetRequiredValue(channel))
            {
                case "email":
                    StartEmailAuthenticationResponse email = await s.Client.ResendPinOverEmailAsync(id, request, ct);
                    s.Emit(() => Views.Sent(email));
                    break;
                case "voice":
                    StartAuthenticationResponse voice = await s.Client.ResendPinOverVoiceAsync(id, request, ct);
                    s.Emit(() => Views.Sent(voice));
                    break;
                default:
                    StartAuthenticationResponse sms = await s.Client.ResendPinOverSmsAsync(id, request, ct);
                    s.Emit(() => Views.Sent(sms));
                    break;
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command VerifyCommand()
    {
        var pinId = new Argument<string>("pinId") { Description = "The PIN's id, from 'pin send'" };
        var pin = new Argument<string>("pin") { Description = "The PIN the user typed" };
        var command = new Command("verify", $"Check a PIN; exits {ExitCodes.Ok} when verified and {ExitCodes.VerificationFailed} when not (wrong, expired, out of attempts)") { pinId, pin };
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            VerifyPinResponse result = await s.Client.VerifyPinAsync(parse.GetRequiredValue(pinId), parse.GetRequiredValue(pin), ct);
            s.Emit(() => Views.Verified(result));
            return result.Verified ? ExitCodes.Ok : ExitCodes.VerificationFailed;
        }, ct));
        return command;
    }

    private static Command StatusCommand()
    {
        var app = new Option<string>("--app", "-a") { Description = "The application's id", Required = true };
        var to = new Option<string>("--to", "--msisdn") { Description = "The phone number or e-mail address", Required = true };
        var verified = new Option<bool?>("--verified") { Description = "Only verified (true) or unverified (false) PINs" };
        var sent = new Option<bool?>("--sent") { Description = "Only PINs whose message was (true) or was not (false) sent" };
        var command = new Command("status", "The verification status: every PIN the application sent to a destination, newest first") { app, to, verified, sent };
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            string msisdn = parse.GetRequiredValue(to);
            VerificationResponse result = await s.Client.GetVerificationStatusAsync(parse.GetRequiredValue(app), msisdn, parse.GetValue(verified), parse.GetValue(sent), ct);
            s.Emit(() => Views.Verifications(msisdn, result));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command MessagesCommand()
    {
        var pinId = new Argument<string>("pinId") { Description = "The PIN's id" };
        var unmasked = new Option<bool>("--unmasked") { Description = "Show destinations in full (needs opentfa:pii; audited)" };
        var command = new Command("messages", "The delivery state of each message sent for a PIN (the send and every resend)") { pinId, unmasked };
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            IReadOnlyList<MessageStateResponse> messages = await s.Client.GetPinMessagesAsync(parse.GetRequiredValue(pinId), parse.GetValue(unmasked), ct);
            s.Emit(() => Views.Messages(messages));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command ShowCommand()
    {
        var pinId = new Argument<string>("pinId") { Description = "The PIN's id" };
        var unmasked = new Option<bool>("--unmasked") { Description = "Show destinations in full (needs opentfa:pii; audited)" };
        var command = new Command("show", "A PIN's story: its state, each message and every verify with its outcome (scope 2fa:manage)") { pinId, unmasked };
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            PinResponse pin = await s.Client.GetPinAsync(parse.GetRequiredValue(pinId), parse.GetValue(unmasked), ct);
            s.Emit(() => Views.Pin(pin));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Dictionary<string, string>? ParsePlaceholders(string[]? values)
    {
        if (values is not { Length: > 0 })
        {
            return null;
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string value in values)
        {
            int equals = value.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new UsageException($"--placeholder '{value}' is not name=value (for example --placeholder firstName=John)");
            }

            result[value[..equals]] = value[(equals + 1)..];
        }

        return result;
    }
}
