# UDP client with RTT (Lab 3 task 1)
import os
import sys
import time
from datetime import datetime
from socket import *

serverName = os.environ.get('SERVER_HOST', 'server')
serverPort = int(os.environ.get('SERVER_PORT', 12000))

clientSocket = socket(AF_INET, SOCK_DGRAM)
clientSocket.settimeout(2)
message = input('Input lowercase sentence: ')

sent = datetime.now()
t1 = time.perf_counter()
try:
    clientSocket.sendto(message.encode(), (serverName, serverPort))
    modifiedMessage, serverAddress = clientSocket.recvfrom(65535)
except OSError as e:  # includes the timeout
    print('ERROR: no answer from the server:', e)
    sys.exit(2)
t2 = time.perf_counter()
received = datetime.now()
clientSocket.close()

print()
print(modifiedMessage.decode())
print('Time request sent:', sent)
print('Time reply received:', received)
print('RTT:', round((t2 - t1) * 1000, 3), 'ms')
