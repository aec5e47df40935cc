using System.CommandLine;
using OpenTfa.Contracts;

namespace OpenTfa.Cli.Commands;

/// <summary><c>opentfa templates …</c>: the SMS/voice and e-mail message templates of an application (scope 2fa:manage).</summary>
internal static class TemplateCommands
{
    public static Command Create() => new("templates", "Manage message templates: the text and PIN format of SMS/voice and e-mail PINs (scope 2fa:manage)")
    {
        CreateCommand(),
        CreateEmailCommand(),
        ListCommand(),
        ShowCommand(),
        UpdateCommand(),
        UpdateEmailCommand(),
    };

    private static Argument<string> AppId() => new("applicationId") { Description = "The application's id" };

    private static Argument<string> MessageId() => new("messageId") { Description = "The template's id" };

    private static Command CreateCommand()
    {
        var app = AppId();
        var fields = new TextFields(required: true);
        var command = new Command("create", "Create an SMS/voice template") { app };
        fields.AddTo(command);
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            MessageTemplateResponse t = await s.Client.CreateMessageTemplateAsync(parse.GetRequiredValue(app), fields.Request(parse, defaults: true), ct);
            s.Emit(() => Views.Template(t));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command UpdateCommand()
    {
        var app = AppId();
        var message = MessageId();
        var fields = new TextFields(required: false);
        var command = new Command("update", "Change an SMS/voice template: only the options given change") { app, message };
        fields.AddTo(command);
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            MessageTemplateResponse t = await s.Client.UpdateMessageTemplateAsync(parse.GetRequiredValue(app), parse.GetRequiredValue(message), fields.Request(parse, defaults: false), ct);
            s.Emit(() => Views.Template(t));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command CreateEmailCommand()
    {
        var app = AppId();
        var fields = new EmailFields(required: true);
        var command = new Command("create-email", "Create an e-mail template") { app };
        fields.AddTo(command);
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            MessageTemplateResponse t = await s.Client.CreateEmailMessageTemplateAsync(parse.GetRequiredValue(app), fields.Request(parse), ct);
            s.Emit(() => Views.Template(t));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command UpdateEmailCommand()
    {
        var app = AppId();
        var message = MessageId();
        var fields = new EmailFields(required: false);
        var command = new Command("update-email", "Change an e-mail template: only the options given change") { app, message };
        fields.AddTo(command);
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            MessageTemplateResponse t = await s.Client.UpdateEmailMessageTemplateAsync(parse.GetRequiredValue(app), parse.GetRequiredValue(message), fields.Request(parse), ct);
            s.Emit(() => Views.Template(t));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command ListCommand()
    {
        var app = AppId();
        var command = new Command("list", "List an application's templates, SMS/voice and e-mail") { app };
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            IReadOnlyList<MessageTemplateResponse> list = await s.Client.GetMessageTemplatesAsync(parse.GetRequiredValue(app), ct);
            s.Emit(() => Views.Templates(list));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command ShowCommand()
    {
        var app = AppId();
        var message = MessageId();
        var command = new Command("show", "Show one template") { app, message };
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            MessageTemplateResponse t = await s.Client.GetMessageTemplateAsync(parse.GetRequiredValue(app), parse.GetRequiredValue(message), ct);
            s.Emit(() => Views.Template(t));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Option<string?> PinType() => new("--pin-type")
    {
        Description = "NUMERIC, ALPHA, HEX or ALPHANUMERIC",
    };

    private static Option<int?> PinLength() => new("--pin-length") { Description = "PIN length, 4 to 20" };

    private sealed class TextFields(bool required)
    {
        public Option<string?> Text { get; } = new("--text", "--message-text")
        {
            Description = "The message; {{pin}} marks the PIN, {{name}} a placeholder given at send time",
            Required = required,
        };

        public Option<string?> PinType { get; } = TemplateCommands.PinType();

        public Option<int?> PinLength { get; } = TemplateCommands.PinLength();

        public Option<string?> Language { get; } = new("--language") { Description = "Voice language, e.g. en, de, pt_br" };

        public Option<string?> SenderId { get; } = new("--sender-id") { Description = "The SMS sender shown to the user" };

        public Option<string?> RepeatDtmf { get; } = new("--repeat-dtmf") { Description = "Voice: the key that replays the message, e.g. 1#" };

        public Option<double?> SpeechRate { get; } = new("--speech-rate") { Description = "Voice: 0.5 to 2" };

        public Option<string?> VoiceName { get; } = new("--voice-name") { Description = "Voice: the voice, e.g. Joanna" };

        public void AddTo(Command command)
        {
            command.Add(Text);
            command.Add(PinType);
            command.Add(PinLength);
            command.Add(Language);
            command.Add(SenderId);
            command.Add(RepeatDtmf);
            command.Add(SpeechRate);
            command.Add(VoiceName);
        }

        public MessageTemplateRequest Request(ParseResult parse, bool defaults) => new()
        {
            MessageText = parse.GetValue(Text),
            PinType = parse.GetValue(PinType) ?? (defaults ? "NUMERIC" : null),
            PinLength = parse.GetValue(PinLength) ?? (defaults ? 4 : null),
            Language = parse.GetValue(Language),
            SenderId = parse.GetValue(SenderId),
            RepeatDtmf = parse.GetValue(RepeatDtmf),
            SpeechRate = parse.GetValue(SpeechRate),
            VoiceName = parse.GetValue(VoiceName),
        };
    }

    private sealed class EmailFields(bool required)
    {
        public Option<long?> EmailTemplateId { get; } = new("--email-template-id")
        {
            Description = "The e-mail body to use",
            Required = required,
        };

        public Option<string?> From { get; } = new("--from") { Description = "The sender, e.g. company@example.com or 'Jane Smith <jane@example.com>'" };

        public Option<string?> PinType { get; } = TemplateCommands.PinType();

        public Option<int?> PinLength { get; } = TemplateCommands.PinLength();

        public void AddTo(Command command)
        {
            command.Add(EmailTemplateId);
            command.Add(From);
            command.Add(PinType);
            command.Add(PinLength);
        }

        public EmailTemplateRequest Request(ParseResult parse) => new()
        {
            EmailTemplateId = parse.GetValue(EmailTemplateId),
            From = parse.GetValue(From),
            PinType = parse.GetValue(PinType),
            PinLength = parse.GetValue(PinLength),
        };
    }
}
