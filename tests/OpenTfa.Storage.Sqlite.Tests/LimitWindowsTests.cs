namespace OpenTfa.Storage.Sqlite.Tests;

public sealed class LimitWindowsTests
{
    [Fact]
    public void TryCount_AWindowStartingSlightlyEarlierThanTheLastOne_IsStillAnsweredFromMemory()
    {
        var windows = new LimitWindows();
        windows.Load("key", 0, [1_000, 2_000, 3_000]);

        Assert.True(windows.TryCount("key", 2_500, out long later));
        Assert.True(windows.TryCount("key", 1_500, out long earlier));

        Assert.Equal(1, later);
        Assert.Equal(2, earlier);
    }

    [Fact]
    public void TryCount_AWindowStartingBeforeWhatWasForgotten_FallsBackToTheDatabase()
    {
        var windows = new LimitWindows();
        windows.Load("key", 0, [1_000, 70_000, 130_000]);

        Assert.True(windows.TryCount("key", 125_000, out long recent));
        Assert.False(windows.TryCount("key", 60_000, out _));
        Assert.False(windows.TryCount("other", 0, out _));

        Assert.Equal(1, recent);
    }

    [Fact]
    public void Record_CountsNewEvents_AndRollBackForgetsThem()
    {
        var windows = new LimitWindows();
        windows.Load("key", 0, [1_000]);
        windows.Mark();
        windows.Record("key", 2_000);
        windows.Record("key", 1_500);
        Assert.True(windows.TryCount("key", 1_200, out long recorded));

        windows.RollBack();

        Assert.True(windows.TryCount("key", 0, out long afterRollBack));
        Assert.Equal(2, recorded);
        Assert.Equal(1, afterRollBack);
    }
}
