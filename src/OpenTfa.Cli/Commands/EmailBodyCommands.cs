using System.CommandLine;
using OpenTfa.Cli.Output;
using OpenTfa.Contracts;

namespace OpenTfa.Cli.Commands;

/// <summary><c>opentfa email-bodies create|list|show|update</c>: the e-mails that e-mail templates name as emailTemplateId (scope 2fa:manage).</summary>
internal static class EmailBodyCommands
{
    public static Command Create() => new("email-bodies", "Manage e-mail bodies (subject, text, HTML) that e-mail templates name as --email-template-id (scope 2fa:manage)")
    {
        CreateCommand(),
        ListCommand(),
        ShowCommand(),
        UpdateCommand(),
    };

    private static Argument<long> Id() => new("id") { Description = "The e-mail body's id" };

    private static Command CreateCommand()
    {
        var fields = new Fields(required: true);
        var command = new Command("create", "Create an e-mail body; subject, text and HTML each contain {{pin}} and may use {{name}} placeholders");
        fields.AddTo(command);
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            EmailBodyResponse body = await s.Client.CreateEmailBodyAsync(fields.Request(parse), ct);
            s.Emit(() => Show(body));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command UpdateCommand()
    {
        var id = Id();
        var fields = new Fields(required: false);
        var command = new Command("update", "Change an e-mail body: only the options given change") { id };
        fields.AddTo(command);
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            EmailBodyResponse body = await s.Client.UpdateEmailBodyAsync(parse.GetRequiredValue(id), fields.Request(parse), ct);
            s.Emit(() => Show(body));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command ListCommand()
    {
        var command = new Command("list", "List the tenant's e-mail bodies");
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            IReadOnlyList<EmailBodyResponse> bodies = await s.Client.GetEmailBodiesAsync(ct);
            s.Emit(() => Table.Write(Session.Out, ["ID", "NAME", "SUBJECT", "HTML", "UPDATED"],
                bodies.Select(b => new[] { Table.Number(b.Id), b.Name, b.Subject, Table.Bool(b.Html is not null), Table.Time(b.UpdatedAt) }),
                "No e-mail bodies yet; create one with 'opentfa email-bodies create --subject … --text \"Your code is {{pin}}\"'."));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command ShowCommand()
    {
        var id = Id();
        var command = new Command("show", "Show one e-mail body") { id };
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            EmailBodyResponse body = await s.Client.GetEmailBodyAsync(parse.GetRequiredValue(id), ct);
            s.Emit(() => Show(body));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static void Show(EmailBodyResponse b) =>
        Table.Pairs(Session.Out,
            ("id", Table.Number(b.Id)),
            ("name", b.Name.Length == 0 ? null : b.Name),
            ("subject", b.Subject),
            ("text", b.Text),
            ("html", b.Html),
            ("createdAt", Table.Time(b.CreatedAt)),
            ("updatedAt", Table.Time(b.UpdatedAt)));

    private sealed class Fields(bool required)
    {
        public Option<string?> Name { get; } = new("--name") { Description = "What the e-mail is for, e.g. login" };

        public Option<string?> Subject { get; } = new("--subject") { Description = "The subject line", Required = required };

        public Option<string?> Text { get; } = new("--text") { Description = "The plain-text body, with {{pin}}", Required = required };

        public Option<string?> Html { get; } = new("--html") { Description = "An HTML body, with {{pin}} (placeholders are HTML-escaped)" };

        public void AddTo(Command command)
        {
            command.Add(Name);
            command.Add(Subject);
            command.Add(Text);
            command.Add(Html);
        }

        public EmailBodyRequest Request(ParseResult parse) => new()
        {
            Name = parse.GetValue(Name),
            Subject = parse.GetValue(Subject),
            Text = parse.GetValue(Text),
            Html = parse.GetValue(Html),
        };
    }
}
