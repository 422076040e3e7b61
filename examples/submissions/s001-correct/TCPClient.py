# TCPClient.py - Lab 3, Task 2: TCP client that measures the application-level RTT,
# counted from the connection request as the task asks.
import os
import sys
import time
from datetime import datetime
from socket import *

serverName = os.environ.get('SERVER_HOST', 'server')
serverPort = int(os.environ.get('SERVER_PORT', '12000'))

try:
    sentence = input('Input lowercase sentence: ')
except EOFError:
    sys.exit('Error: no sentence given on standard input')
data = sentence.encode()
if not data:
    sys.exit('Error: the sentence is empty')

try:
    serverIP = gethostbyname(serverName)  # look the name up before timing
except gaierror as e:
    sys.exit('Error: cannot find server %r: %s' % (serverName, e))

clientSocket = socket(AF_INET, SOCK_STREAM)
clientSocket.settimeout(2)  # Task 4: never wait forever, neither on connect nor on recv

requestAt = datetime.now()
start = time.perf_counter()
try:
    clientSocket.connect((serverIP, serverPort))
    connected = time.perf_counter()
    clientSocket.sendall(data)
    clientSocket.shutdown(SHUT_WR)  # tell the server the whole sentence has been sent
    # The reply can come in several pieces; it is as long as what we sent.
    modifiedSentence = b''
    while len(modifiedSentence) < len(data):
        chunk = clientSocket.recv(2048)
        if not chunk:
            break
        modifiedSentence += chunk
except timeout:
    sys.exit('Error: %s:%d did not answer within 2 seconds' % (serverName, serverPort))
except ConnectionRefusedError:
    sys.exit('Error: connection to %s:%d refused (is the server running?)'
             % (serverName, serverPort))
except OSError as e:
    sys.exit('Error: cannot talk to %s:%d: %s' % (serverName, serverPort, e))
end = time.perf_counter()
receivedAt = datetime.now()
clientSocket.close()

if not modifiedSentence:
    sys.exit('Error: the server closed the connection without replying')

print()
print('From Server:', modifiedSentence.decode(errors='replace'))
print('Connection request sent at', requestAt.strftime('%Y-%m-%d %H:%M:%S.%f'))
print('Connected after %.3f ms' % ((connected - start) * 1000))
print('Reply received at', receivedAt.strftime('%Y-%m-%d %H:%M:%S.%f'))
print('RTT: %.3f ms' % ((end - start) * 1000))
