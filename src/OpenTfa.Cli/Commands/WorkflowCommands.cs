using System.CommandLine;
using System.Globalization;
using OpenTfa.Client;
using OpenTfa.Contracts;

namespace OpenTfa.Cli.Commands;

/// <summary><c>opentfa workflow show|set|remove</c>: an application's fallback workflow (scope 2fa:manage).</summary>
internal static class WorkflowCommands
{
    public static Command Create() => new("workflow", "An application's fallback workflow: the channels a PIN moves through until it is verified (scope 2fa:manage)")
    {
        ShowCommand(),
        SetCommand(),
        RemoveCommand(),
    };

    private static Command ShowCommand()
    {
        var id = new Argument<string>("applicationId") { Description = "The application's id" };
        var command = new Command("show", "Show the application's workflow; exits 1 when it has none") { id };
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            string appId = parse.GetRequiredValue(id);
            WorkflowResponse workflow;
            try
            {
                workflow = await s.Client.GetWorkflowAsync(appId, ct);
            }
            catch (OpenTfaNotFoundException none)
            {
                // The same 404 answers an unknown application: asking for it tells the two apart, and reports that one as any unknown id.
                await s.Client.GetApplicationAsync(appId, ct);
                if (s.Json)
                {
                    Session.Out.WriteLine(none.ResponseBody);
                }

                Session.Error.WriteLine($"error: application {appId} has no workflow; its sends go out on the channel they ask for.");
                Session.Error.WriteLine($"  Set one with 'opentfa workflow set {appId} --step sms:60 --step voice'.");
                return ExitCodes.ApiError;
            }

            s.Emit(() => Views.Workflow(workflow));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command SetCommand()
    {
        var id = new Argument<string>("applicationId") { Description = "The application's id" };
        var steps = new Option<string[]>("--step")
        {
            Description = "A step as channel:seconds, the seconds to wait for a verification before the next step "
                + "(sms, voice, email, whatsapp or telegram; e.g. whatsapp:30); the last step needs no seconds; repeat, in order",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var newPin = new Option<bool>("--new-pin-per-step") { Description = "Each later step carries a newly drawn PIN; by default every step carries the same one" };
        var command = new Command("set", "Replace the application's workflow; PINs already sent keep the one they started with") { id, steps, newPin };
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            var request = new WorkflowRequest
            {
                Steps = [.. parse.GetRequiredValue(steps).Select(ParseStep)],
                NewPinPerStep = parse.GetValue(newPin),
            };
            WorkflowResponse saved = await s.Client.SetWorkflowAsync(parse.GetRequiredValue(id), request, ct);
            s.Emit(() => Views.Workflow(saved));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command RemoveCommand()
    {
        var id = new Argument<string>("applicationId") { Description = "The application's id" };
        var command = new Command("remove", "Remove the application's workflow: sends go out on the channel they ask for again") { id };
        command.SetAction((parse, ct) => Session.RunAsync(parse, async (s, ct) =>
        {
            string appId = parse.GetRequiredValue(id);
            await s.Client.DeleteWorkflowAsync(appId, ct);
            s.Emit(() => Session.Out.WriteLine($"Removed the workflow of {appId}."));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    /// <summary><c>channel</c> or <c>channel:seconds</c> (a trailing <c>s</c> allowed); the channel's name is left for the server to judge.</summary>
    internal static WorkflowStepBody ParseStep(string text)
    {
        string value = text.Trim();
        int colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return value.Length > 0 ? new WorkflowStepBody { Channel = value } : throw new UsageException("--step needs a channel, e.g. --step sms:60");
        }

        string channel = value[..colon];
        string seconds = value[(colon + 1)..].TrimEnd('s');
        return channel.Length > 0 && int.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out int wait)
            ? new WorkflowStepBody { Channel = channel, WaitSeconds = wait }
            : throw new UsageException($"--step '{text}' is not channel:seconds (e.g. whatsapp:30)");
    }
}
