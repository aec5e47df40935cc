using System.Net;
using System.Text.Json.Nodes;

namespace OpenTfa.Console.Tests;

/// <summary>
/// The console in headless Chromium against the real server: what an operator does, step by
/// step, with the API on the other side doing what applications do.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ConsoleBrowserTests(BrowserFixture fixture)
{
    private const string Phone = "41793026727";

    [Fact]
    public async Task Operator_SignsIn_CreatesApplicationAndTemplate_FollowsAPin_SwitchesARule_SignsOut()
    {
        await using TestServer server = await TestServer.StartAsync();
        using HttpClient api = server.Client();
        Page page = await fixture.Browser.OpenAsync();
        Uri console = new(server.BaseAddress, "/console/");

        // Sign in: the key goes in once and becomes an HttpOnly, SameSite=Strict cookie.
        await page.GotoAsync(console);
        await page.WaitForTextAsync("form", "Sign in");
        Assert.Equal("input#api-key", await page.FocusedAsync());
        await ShotAsync(page, "sign-in");
        Assert.Empty(await page.AccessibilityViolationsAsync());
        await page.FillAsync("label=API key", TestServer.BootstrapKey);
        await page.PressAsync("Enter");
        await page.WaitForTextAsync("nav", "Applications");
        JsonNode cookie = Assert.Single(await page.CookiesAsync(), c => (string)c!["name"]! == "opentfa-session")!;
        Assert.True((bool)cookie["httpOnly"]!);
        Assert.Equal("Strict", (string)cookie["sameSite"]!);
        Assert.Equal(0, (int)(await page.EvaluateAsync("localStorage.length + sessionStorage.length"))!);
        Assert.DoesNotContain("opentfa-session", (string)(await page.EvaluateAsync("document.cookie"))!, StringComparison.Ordinal);
        Assert.DoesNotContain(TestServer.BootstrapKey, (string)(await page.EvaluateAsync("document.documentElement.outerHTML"))!, StringComparison.Ordinal);

        // An application: the API's own validation message appears beside the field, then it is created.
        await page.ClickAsync("role=link/Applications");
        await page.FillAsync("label=Name", "Shop sign-in");
        await page.FillAsync("label=PIN attempts", "0");
        await page.ClickAsync("role=button/Create application");
        string error = await page.WaitForTextAsync("[data-error-for='configuration.pinAttempts']", "between 1 and 1000");
        Assert.Contains("was 0", error, StringComparison.Ordinal);
        Assert.Equal("true", (string?)await page.EvaluateAsync("document.querySelector('[name=\"configuration.pinAttempts\"]').getAttribute('aria-invalid')"));
        Assert.Empty((await api.GetJsonAsync("/2fa/2/applications").OkAsync()).Body!.AsArray());
        await page.FillAsync("label=PIN attempts", "3");
        await page.FillAsync("label=Verify limit", "10/1s");
        await page.ClickAsync("role=button/Create application");
        await page.WaitForTextAsync("h1", "Application Shop sign-in");
        JsonNode app = Assert.Single((await api.GetJsonAsync("/2fa/2/applications").OkAsync()).Body!.AsArray())!;
        string appId = (string)app["applicationId"]!;
        Assert.Equal(3, (int)app["configuration"]!["pinAttempts"]!);
        Assert.Equal("10/1s", (string)app["configuration"]!["verifyPinLimit"]!);

        // A template: a PIN length the API refuses, then one it takes.
        await page.FillAsync("label=Message text", "Your Shop code is {{pin}}");
        await page.FillAsync("label=PIN length", "2");
        await page.ClickAsync("role=button/Create template");
        await page.WaitForTextAsync("[data-error-for='pinLength']", "4");
        await page.FillAsync("label=PIN length", "6");
        await page.ClickAsync("role=button/Create template");
        await page.WaitForTextAsync("table", "Your Shop code is {{pin}}");
        await ShotAsync(page, "application");
        Assert.Empty(await page.AccessibilityViolationsAsync());
        JsonNode template = Assert.Single((await api.GetJsonAsync($"/2fa/2/applications/{appId}/messages").OkAsync()).Body!.AsArray())!;
        await page.ClickAsync($"role=button/Edit template {template["messageId"]}");
        await page.FillAsync("#template-editor >> label=Message text", "Shop: your code is {{pin}}");
        await page.ClickAsync("role=button/Save template");
        await page.WaitForTextAsync("table", "Shop: your code is {{pin}}");
        Assert.Equal("Shop: your code is {{pin}}", (string)(await api.GetJsonAsync($"/2fa/2/applications/{appId}/messages/{template["messageId"]}").OkAsync()).Body!["messageText"]!);

        // Disabled and enabled again from its page.
        await page.ClickAsync("role=button/Disable application");
        await page.WaitForTextAsync("#application-status", "Disabled");
        Assert.False((bool)(await api.GetJsonAsync($"/2fa/2/applications/{appId}").OkAsync()).Body!["enabled"]!);
        await page.ClickAsync("role=button/Enable application");
        await page.WaitForTextAsync("#application-status", "Enabled");

        // A PIN sent through the API appears in the explorer with its message state.
        string pinId = (string)(await api.PostJsonAsync("/2fa/2/pin", $$"""{"applicationId":"{{appId}}","messageId":"{{template["messageId"]}}","to":"{{Phone}}"}""").OkAsync()).Body!["pinId"]!;
        string pin = await server.Deliveries.WaitForPinAsync(Phone);
        await server.WaitUntilQueuesDrainedAsync();
        await page.ClickAsync("role=link/PIN explorer");
        await page.FillAsync("label=PIN id", pinId);
        await page.ClickAsync("role=button/Show PIN");
        await page.WaitForTextAsync("#pin-facts", "PENDING");
        string messages = await page.WaitForTextAsync("table", "SUBMITTED");
        Assert.Contains("sms", messages, StringComparison.Ordinal);
        Assert.DoesNotContain(Phone, await page.TextAsync("#pin-facts"), StringComparison.Ordinal);

        // The overview before and after the verification: conversion moves from 0 % to 100 %.
        await page.ClickAsync("role=link/Overview");
        await page.WaitForTextAsync("#kpi-conversion", "0.0 %");
        await api.VerifyAsync(pinId, "000000" == pin ? "111111" : "000000").OkAsync();
        await api.VerifyAsync(pinId, pin).OkAsync();
        await page.ClickAsync("role=button/Refresh");
        await page.WaitForTextAsync("#kpi-conversion", "100.0 %");
        await page.ClickAsync("#chart-volume >> text=Table view");
        string volume = await page.TextAsync("#chart-volume table");
        Assert.Contains("Verified", volume, StringComparison.Ordinal);
        Assert.Equal(1, (int)(await page.EvaluateAsync(
            "Array.from(document.querySelectorAll('#chart-volume tbody tr')).filter(r => r.cells[1].textContent === '1' && r.cells[2].textContent === '1').length"))!);
        await ShotAsync(page, "overview");
        Assert.Empty(await page.AccessibilityViolationsAsync());

        // The PIN's timeline now ends with the wrong and the right PIN.
        await page.GotoAsync(new Uri(console, $"pins/{pinId}"));
        string timeline = await page.WaitForTextAsync("#pin-timeline", "VERIFIED");
        Assert.Contains("WRONG_PIN", timeline, StringComparison.Ordinal);
        await page.WaitForTextAsync("#pin-facts", "VERIFIED");
        await ShotAsync(page, "pin", fullPage: true);

        // Protection: a country rule switched from enforce to monitor.
        await api.PutJsonAsync($"/opentfa/v1/applications/{appId}/protection", """{"countries":{"deny":["KP"],"mode":"enforce"}}""").OkAsync();
        await page.ClickAsync("role=link/Protection");
        await page.SelectAsync("label=Mode of Countries", "monitor");
        await page.WaitForTextAsync("#protection-status", "Saved.");
        JsonNode policy = (await api.GetJsonAsync($"/opentfa/v1/applications/{appId}/protection").OkAsync()).Body!;
        Assert.Equal("monitor", (string)policy["countries"]!["mode"]!);
        await ShotAsync(page, "protection");

        // Channels, webhooks, audit and keys render for an administrator.
        await page.ClickAsync("role=link/Channels");
        await page.WaitForTextAsync("#channel-list", "log");
        await ShotAsync(page, "channels");
        await page.ClickAsync("role=link/Audit trail");
        string audit = await page.WaitForTextAsync("#audit-list", "application.created");
        Assert.Contains("console.signed_in", audit, StringComparison.Ordinal);
        await page.ClickAsync("role=link/Keys and tenants");
        await page.WaitForTextAsync("main", "console:bootstrap");

        // Sign out: the session ends on the server, not just in the browser.
        await page.ClickAsync("role=button/Sign out");
        await page.WaitForTextAsync("main", "You have signed out.");
        Assert.DoesNotContain(await page.CookiesAsync(), c => (string)c!["name"]! == "opentfa-session");
        Assert.Equal(401, (int)(await page.EvaluateAsync("fetch('/2fa/2/applications').then(r => r.status)"))!);
        Assert.Empty(Unexpected(await page.ProblemsAsync()));
        await page.CloseAsync();
    }

    [Fact]
    public async Task Operator_EditsAWorkflow_SeesARefusalBesideItsField_AndFollowsAPinThroughItsSteps()
    {
        await using TestServer server = await TestServer.StartAsync();
        using HttpClient api = server.Client();
        string app = (string)(await api.PostJsonAsync("/2fa/2/applications", """{"name":"Workflow app"}""").OkAsync()).Body!["applicationId"]!;
        string template = (string)(await api.PostJsonAsync($"/2fa/2/applications/{app}/messages", """{"messageText":"Code {{pin}}","pinLength":4,"pinType":"NUMERIC"}""").OkAsync()).Body!["messageId"]!;
        Page page = await fixture.Browser.OpenAsync();
        await page.GotoAsync(new Uri(server.BaseAddress, $"/console/applications/{app}"));
        await page.FillAsync("label=API key", TestServer.BootstrapKey);
        await page.PressAsync("Enter");
        await page.WaitForTextAsync("#workflow-status", "No workflow");

        // Two steps, the first with a wait the API refuses: its message appears beside that field.
        await page.SelectAsync("label=Channel of step 1", "whatsapp");
        await page.ClickAsync("role=button/Add step");
        await page.FillAsync("label=Wait after step 1 (seconds)", "0");
        await page.ClickAsync("role=button/Save workflow");
        await page.WaitForTextAsync("[data-error-for='steps[0].waitSeconds']", "between 1 and 3600");
        Assert.Equal("true", (string?)await page.EvaluateAsync("document.querySelector('[name=\"steps[0].waitSeconds\"]').getAttribute('aria-invalid')"));
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetJsonAsync($"/opentfa/v1/applications/{app}/workflow")).Status);

        // Three steps, one added and removed again, two swapped and swapped back: what is typed follows its step.
        await page.FillAsync("label=Wait after step 1 (seconds)", "300");
        await page.ClickAsync("role=button/Add step");
        await page.FillAsync("label=Wait after step 2 (seconds)", "600");
        await page.SelectAsync("label=Channel of step 3", "voice");
        await page.ClickAsync("role=button/Add step");
        await page.ClickAsync("role=button/Step 4: remove");
        await page.ClickAsync("role=button/Step 2: move up");
        Assert.Equal("sms", (string?)await page.EvaluateAsync("document.querySelector('[name=\"steps[0].channel\"]').value"));
        Assert.Equal("600", (string?)await page.EvaluateAsync("document.querySelector('[name=\"steps[0].waitSeconds\"]').value"));
        await page.ClickAsync("role=button/Step 1: move down");
        await page.CheckAsync("label=New PIN per step");
        await page.ClickAsync("role=button/Save workflow");
        await page.WaitForTextAsync("#workflow-status", "Saved · 3 step(s): whatsapp (300 s) → sms (600 s) → voice");
        JsonNode saved = (await api.GetJsonAsync($"/opentfa/v1/applications/{app}/workflow").OkAsync()).Body!;
        Assert.Equal(["whatsapp:300", "sms:600", "voice:"], saved["steps"]!.AsArray().Select(s => $"{s!["channel"]}:{s["waitSeconds"]}"));
        Assert.True((bool)saved["newPinPerStep"]!);
        Assert.Equal(0, await page.CountAsync("[data-error-for='steps[0].waitSeconds']:not(:empty)"));
        await ShotAsync(page, "workflow", fullPage: true);
        Assert.Empty(await page.AccessibilityViolationsAsync());

        // A PIN sent through the API starts on WhatsApp; the explorer shows its step and what comes next.
        string pinId = (string)(await api.PostJsonAsync("/2fa/2/pin", $$"""{"applicationId":"{{app}}","messageId":"{{template}}","to":"{{Phone}}"}""").OkAsync()).Body!["pinId"]!;
        Assert.StartsWith("[opentfa:log] whatsapp ", await server.Deliveries.WaitForLineAsync(Phone), StringComparison.Ordinal);
        await page.ClickAsync("role=link/PIN explorer");
        await page.FillAsync("label=PIN id", pinId);
        await page.ClickAsync("role=button/Show PIN");
        string plan = await page.WaitForTextAsync("#pin-workflow", "1 of 3");
        Assert.Contains("whatsapp (300 s) → sms (600 s) → voice", plan, StringComparison.Ordinal);
        Assert.Contains("step 2 (sms) at ", plan, StringComparison.Ordinal);
        Assert.Equal(1, (int)(await page.EvaluateAsync(
            "Array.from(document.querySelectorAll('table')).find(t => t.caption.textContent === 'Messages').querySelectorAll('tbody tr').length"))!);
        Assert.Equal(["1", "whatsapp"], ((JsonArray)(await page.EvaluateAsync(
            "Array.from(Array.from(document.querySelectorAll('table')).find(t => t.caption.textContent === 'Messages').querySelector('tbody tr').cells).slice(1, 3).map(c => c.textContent)"))!).Select(c => (string)c!));
        Assert.Contains("due ", await page.TextAsync("main"), StringComparison.Ordinal);
        Assert.Empty(await page.AccessibilityViolationsAsync());

        // The overview counts the PIN under its first step; the workflow is then removed from the application's page.
        await page.ClickAsync("role=link/Overview");
        await page.WaitForTextAsync("#by-step", "1:whatsapp");
        await page.GotoAsync(new Uri(server.BaseAddress, $"/console/applications/{app}"));
        await page.WaitForTextAsync("#workflow-status", "3 step(s)");
        await page.ClickAsync("role=button/Remove workflow");
        await page.WaitForTextAsync("#workflow-status", "Removed.");
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetJsonAsync($"/opentfa/v1/applications/{app}/workflow")).Status);
        Assert.Empty(Unexpected(await page.ProblemsAsync()));
        await page.CloseAsync();
    }

    [Fact]
    public async Task Administrator_ManagesWebhooksAndKeys_AndWatchesChannels()
    {
        await using TestServer server = await TestServer.StartAsync();
        using HttpClient api = server.Client();
        string app = (string)(await api.PostJsonAsync("/2fa/2/applications", """{"name":"Webhook app"}""").OkAsync()).Body!["applicationId"]!;
        Page page = await fixture.Browser.OpenAsync();
        await page.GotoAsync(new Uri(server.BaseAddress, "/console/webhooks"));
        await page.FillAsync("label=API key", TestServer.BootstrapKey);
        await page.PressAsync("Enter");

        // A webhook: the API's refusal beside the URL, then created with its secret shown once, then rotated.
        await page.FillAsync("label=URL", "http://hooks.opentfa.invalid/events");
        await page.CheckAsync("label=pin.sent");
        await page.ClickAsync("role=button/Create webhook");
        await page.WaitForTextAsync("[data-error-for='url']", "https://");
        await page.FillAsync("label=URL", "https://hooks.opentfa.invalid/events");
        await page.ClickAsync("role=button/Create webhook");
        string created = await page.WaitForTextAsync("#webhook-content", "shown only now");
        JsonNode webhook = Assert.Single((await api.GetJsonAsync($"/opentfa/v1/applications/{app}/webhooks").OkAsync()).Body!.AsArray())!;
        Assert.Equal(["pin.sent"], webhook["events"]!.AsArray().Select(e => (string)e!));
        await page.ClickAsync("role=button/Rotate secret");
        string rotated = await Poll.UntilAsync(() => page.TextAsync("#webhook-content"), now => now != created, TimeSpan.FromSeconds(15), _ => "the rotated secret was shown");
        Assert.Contains("shown only now", rotated, StringComparison.Ordinal);

        // A send makes a delivery, listed with its attempts.
        string template = (string)(await api.PostJsonAsync($"/2fa/2/applications/{app}/messages", """{"messageText":"Code {{pin}}","pinLength":4,"pinType":"NUMERIC"}""").OkAsync()).Body!["messageId"]!;
        await api.PostJsonAsync("/2fa/2/pin", $$"""{"applicationId":"{{app}}","messageId":"{{template}}","to":"41793000501"}""").OkAsync();
        await page.ClickAsync("role=button/Deliveries");
        await page.WaitForTextAsync("#webhook-detail", "pin.sent");
        await ShotAsync(page, "webhooks");

        // A key created (shown once, and it works), then revoked from the console.
        await page.ClickAsync("role=link/Keys and tenants");
        await page.FillAsync("form[aria-label='New API key'] >> label=Name", "support desk");
        await page.CheckAsync("label=2fa:pin:send");
        await page.ClickAsync("role=button/Create key");
        string shown = await page.WaitForTextAsync("main", "shown only now");
        string key = System.Text.RegularExpressions.Regex.Match(shown, "otf_[0-9a-f]{16}_[A-Za-z0-9_-]+").Value;
        using HttpClient support = server.Client(key);
        Assert.Equal(HttpStatusCode.OK, (await support.GetAsync(new Uri("/opentfa/v1/version", UriKind.Relative))).StatusCode);
        await page.ClickAsync($"role=button/Revoke key {key.Split('_')[1]}");
        await page.WaitForTextAsync("main", "revoked");
        Assert.Equal(HttpStatusCode.Unauthorized, (await support.GetAsync(new Uri("/opentfa/v1/version", UriKind.Relative))).StatusCode);

        // Channels refresh by themselves.
        await page.ClickAsync("role=link/Channels");
        string first = await page.WaitForTextAsync("main [role=status]", "Updated");
        await Poll.UntilAsync(() => page.TextAsync("main [role=status]"), now => now != first, TimeSpan.FromSeconds(15), now => $"the channel list refreshed; it still says {now}");
        Assert.Empty(Unexpected(await page.ProblemsAsync()));
        await page.CloseAsync();
    }

    [Fact]
    public async Task KeyWithoutAScope_IsRefusedThePagesThatNeedIt_AndRevokingItEndsTheSession()
    {
        await using TestServer server = await TestServer.StartAsync();
        using HttpClient api = server.Client();
        string sendOnly = (string)(await api.PostJsonAsync("/opentfa/v1/keys", """{"name":"sender","scopes":["2fa:pin:send"]}""").OkAsync()).Body!["key"]!;
        Page page = await fixture.Browser.OpenAsync();
        await page.GotoAsync(new Uri(server.BaseAddress, "/console/applications"));
        await page.FillAsync("label=API key", sendOnly);
        await page.ClickAsync("role=button/Sign in");

        string refused = await page.WaitForTextAsync("main", "Refused");
        Assert.Contains("2fa:manage", refused, StringComparison.Ordinal);
        await page.ClickAsync("role=link/Channels");
        Assert.Contains("opentfa:admin", await page.WaitForTextAsync("main", "Refused"), StringComparison.Ordinal);
        await ShotAsync(page, "refused");

        // Revoking the key ends its session: the next page asks for a key again.
        await api.DeleteAsync(new Uri($"/opentfa/v1/keys/{sendOnly.Split('_')[1]}", UriKind.Relative));
        await page.ClickAsync("role=link/Applications");
        await page.WaitForTextAsync("main", "Your session has ended. Sign in again.");
        Assert.Equal(1, await page.CountAsync("label=API key"));
        await page.CloseAsync();
    }

    [Fact]
    public async Task OnAPhone_TheConsoleFitsTheScreen()
    {
        await using TestServer server = await TestServer.StartAsync();
        Page page = await fixture.Browser.OpenAsync(390, 844);
        await page.GotoAsync(new Uri(server.BaseAddress, "/console/"));
        await page.FillAsync("label=API key", TestServer.BootstrapKey);
        await page.ClickAsync("role=button/Sign in");
        await page.WaitForTextAsync("#kpis", "Conversion");
        Assert.True((bool)(await page.EvaluateAsync("document.documentElement.scrollWidth <= window.innerWidth"))!);
        await ShotAsync(page, "phone");
        Assert.Empty(Unexpected(await page.ProblemsAsync()));
        await page.CloseAsync();
    }

    [Fact]
    public async Task ExpiredOrForeignCookie_LandsOnSignIn()
    {
        await using TestServer server = await TestServer.StartAsync();
        Page page = await fixture.Browser.OpenAsync();
        Uri console = new(server.BaseAddress, "/console/");
        await page.GotoAsync(console);
        await page.FillAsync("label=API key", "otf_0123456789abcdef_not-a-real-key");
        await page.ClickAsync("role=button/Sign in");
        Assert.Contains("Invalid login details", await page.WaitForTextAsync("#sign-in-error", "Invalid"), StringComparison.Ordinal);
        Assert.Equal("input#api-key", await page.FocusedAsync());
        Assert.DoesNotContain(await page.CookiesAsync(), c => (string)c!["name"]! == "opentfa-session");
        await page.CloseAsync();
    }

    /// <summary>What the page reported beyond the 4xx answers a test provokes on purpose (a CSP refusal or a script error is never expected).</summary>
    private static List<string> Unexpected(IReadOnlyList<string> problems) =>
        problems.Where(p => !p.Contains("the server responded with a status of 4", StringComparison.Ordinal)).ToList();

    /// <summary>Takes the page's screenshot, after checking that it shows no raw script values.</summary>
    private async Task ShotAsync(Page page, string name, bool fullPage = false)
    {
        string shown = (string)(await page.EvaluateAsync("document.body.innerText"))!;
        Assert.DoesNotMatch(@"\b(undefined|null|NaN|\[object Object\])\b", shown);
        await page.EvaluateAsync("window.scrollTo(0, 0)");
        await page.ScreenshotAsync(Path.Combine(fixture.ScreenshotFolder, $"{name}.png"), fullPage);
    }
}
