using Microsoft.Extensions.Logging.Abstractions;

namespace OpenTfa.Delivery.Smpp.Tests;

public class SmppConnectionOptionsTests
{
    private static SmppConnectionOptions Valid() => new() { Host = "smsc.example", SystemId = "opentfa", Password = "secret" };

    [Fact]
    public void Validate_Defaults_WithHostAndAccount_HasNoErrors() => Assert.Empty(Valid().Validate());

    [Fact]
    public void Validate_BadValues_NamesEachSettingAndValue()
    {
        var options = Valid();
        options.Port = 0;
        options.SystemId = "a-system-id-too-long";
        options.WindowSize = 0;
        options.ResponseTimeout = TimeSpan.Zero;
        options.ReconnectMaxDelay = TimeSpan.FromMilliseconds(1);

        var errors = options.Validate();

        Assert.Contains(errors, e => e.Contains("Port", StringComparison.Ordinal) && e.Contains('0', StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("SystemId", StringComparison.Ordinal) && e.Contains("a-system-id-too-long", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("WindowSize", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("ResponseTimeout", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("ReconnectMaxDelay", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_PasswordTooLong_DoesNotShowIt()
    {
        var options = Valid();
        options.Password = "TopSecret99";

        var error = Assert.Single(options.Validate());

        Assert.Contains("Password", error, StringComparison.Ordinal);
        Assert.DoesNotContain("TopSecret99", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validator_InvalidOptions_Fails()
    {
        var result = new SmppConnectionOptionsValidator().Validate(null, new SmppConnectionOptions());

        Assert.True(result.Failed);
        Assert.Contains("Host is required", result.Failures!);
    }

    [Fact]
    public void Constructor_InvalidOptions_Throws() =>
        Assert.Throws<ArgumentException>(() => new SmppClient(new SmppConnectionOptions(), TimeProvider.System, NullLogger<SmppClient>.Instance));

    [Fact]
    public async Task SubmitAsync_NotStarted_IsTemporaryClientStopped()
    {
        await using var client = new SmppClient(Valid(), TimeProvider.System, NullLogger<SmppClient>.Instance);

        var result = await client.SubmitAsync(new SmppMessage { Source = "A", Destination = "41790000000", Text = "x" }, CancellationToken.None);

        Assert.Equal((SmppFailureKind.Temporary, SmppFailureReasons.ClientStopped), (result.FailureKind, result.StatusName));
        Assert.Equal(SmppClientState.Stopped, client.State);
    }

    [Fact]
    public async Task SubmitAsync_TextOver255Segments_IsPermanentMessageTooLong()
    {
        await using var client = new SmppClient(Valid(), TimeProvider.System, NullLogger<SmppClient>.Instance);

        var result = await client.SubmitAsync(new SmppMessage { Source = "A", Destination = "41790000000", Text = new string('a', 40000) }, CancellationToken.None);

        Assert.Equal((SmppFailureKind.Permanent, SmppFailureReasons.MessageTooLong), (result.FailureKind, result.StatusName));
    }
}
